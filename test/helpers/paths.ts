// Paths of the repository from compiled tests (dist/test/...) and a scratch directory per test file.

import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

export const ROOT = findRoot();
export const FIXTURES = join(ROOT, 'test', 'fixtures');
export const NAS_BIN = join(ROOT, 'bin', 'nas.js');

export function scratch(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `nas-${prefix}-`));
}
