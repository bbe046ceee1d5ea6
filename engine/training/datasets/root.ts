// Finds files shipped with the package. Compiled code runs from dist/, so paths are resolved from the
// package root (the nearest directory above this module holding package.json), not from this file.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** engine/training/data/NAME inside the package (the CSVs are not copied to dist/). */
export function shippedDataFile(name: string): string {
  return join(packageRoot(), 'engine', 'training', 'data', name);
}
