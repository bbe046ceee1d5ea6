// idx:IMAGES[,LABELS] — the MNIST IDX format (optionally gzipped). Without an explicit labels path the
// labels file is found beside the images by the usual naming: train-images-idx3-ubyte ->
// train-labels-idx1-ubyte (also t10k-images.idx3-ubyte and .gz variants). Unsigned-byte images are
// scaled to 0..1; other element types are taken as they are.

import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { FatalError } from '../../core/errors.js';
import { readBytes } from './files.js';
import type { RawDataset } from './types.js';

interface IdxArray {
  dims: number[];
  values: Float32Array;
  ubyte: boolean;
}

const TYPES: Record<number, { size: number; read: (b: Buffer, o: number) => number }> = {
  0x08: { size: 1, read: (b, o) => b.readUInt8(o) },
  0x09: { size: 1, read: (b, o) => b.readInt8(o) },
  0x0b: { size: 2, read: (b, o) => b.readInt16BE(o) },
  0x0c: { size: 4, read: (b, o) => b.readInt32BE(o) },
  0x0d: { size: 4, read: (b, o) => b.readFloatBE(o) },
  0x0e: { size: 8, read: (b, o) => b.readDoubleBE(o) },
};

export function parseIdx(data: Buffer, file: string): IdxArray {
  if (data.length < 4 || data[0] !== 0 || data[1] !== 0 || !TYPES[data[2]]) {
    throw new FatalError(`${file}: not an IDX file (bad magic number)`);
  }
  const type = TYPES[data[2]];
  const rank = data[3];
  if (data.length < 4 + 4 * rank)
    throw new FatalError(
      `${file}: truncated IDX file (cut inside its header: ${rank} dimensions need ${4 + 4 * rank} bytes, got ${data.length})`,
    );
  const dims: number[] = [];
  for (let d = 0; d < rank; d++) dims.push(data.readUInt32BE(4 + 4 * d));
  const offset = 4 + 4 * rank;
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length < offset + count * type.size) {
    throw new FatalError(
      `${file}: truncated IDX file (dims [${dims.join(', ')}] need ${offset + count * type.size} bytes, got ${data.length})`,
    );
  }
  const values = new Float32Array(count);
  if (data[2] === 0x08) for (let i = 0; i < count; i++) values[i] = data[offset + i];
  else for (let i = 0; i < count; i++) values[i] = type.read(data, offset + i * type.size);
  return { dims, values, ubyte: data[2] === 0x08 };
}

/** The labels file beside an images file, by the conventional names; null when none exists. */
export function labelsFileFor(images: string): string | null {
  const name = basename(images);
  const candidates = new Set<string>([
    name.replace('images-idx3-ubyte', 'labels-idx1-ubyte'),
    name.replace('images.idx3-ubyte', 'labels.idx1-ubyte'),
    name.replace('images', 'labels').replace('idx3', 'idx1'),
  ]);
  candidates.delete(name);
  for (const c of candidates) {
    for (const f of [c, c.endsWith('.gz') ? c.slice(0, -3) : `${c}.gz`]) {
      const path = join(dirname(images), f);
      if (existsSync(path)) return path;
    }
  }
  return null;
}

export function loadIdx(spec: string): RawDataset {
  const [images, given] = spec.split(',').map((s) => s.trim());
  const labelsFile = given || labelsFileFor(images);
  if (!labelsFile) {
    throw new FatalError(
      `${images}: no labels file found beside it (expected the name with images-idx3-ubyte -> labels-idx1-ubyte); ` +
        'give it explicitly as idx:IMAGES,LABELS',
    );
  }
  const img = parseIdx(readBytes(images), images);
  const lab = parseIdx(readBytes(labelsFile), labelsFile);
  if (img.dims.length < 2)
    throw new FatalError(`${images}: images need at least 2 dimensions, got [${img.dims.join(', ')}]`);
  const n = img.dims[0];
  if (lab.dims.length !== 1 || lab.dims[0] !== n) {
    throw new FatalError(
      `${labelsFile}: ${lab.dims.length === 1 ? lab.dims[0] : `[${lab.dims.join(', ')}]`} labels for ${n} images in ${images}`,
    );
  }
  const shape = img.dims.slice(1);
  const featureShape = shape.length === 2 ? [...shape, 1] : shape;
  if (img.ubyte) for (let i = 0; i < img.values.length; i++) img.values[i] /= 255;
  return { x: img.values, labels: Array.from(lab.values), featureShape, standardize: false };
}
