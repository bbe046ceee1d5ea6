// Small helpers shared by the benchmarks.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The repository root (the directory holding package.json), from dist/test/bench or test/bench. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

/** ../shared beside the repository (../../shared from a worktree under wt/), where the reference scripts live (absent for most users). */
export function sharedDir(): string | undefined {
  return [join(repoRoot(), '..', 'shared'), join(repoRoot(), '..', '..', 'shared')].find((d) => existsSync(d));
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

export function flag(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback;
}

/** The Python that runs the reference scripts (Debian's, with its python3-* packages). */
export const PYTHON = '/usr/bin/python3';

/**
 * Whether PYTHON imports `module`; when it does not, one line says which Debian package brings it, and
 * the bench goes on without that reference.
 */
export async function pythonHas(
  emit: (line: Record<string, unknown>) => void,
  reference: string,
  module: string,
  debianPackage: string,
): Promise<boolean> {
  try {
    await promisify(execFile)(PYTHON, ['-c', `import ${module}`]);
    return true;
  } catch {
    emit({ reference, skipped: `${PYTHON} has no ${module} (apt-get install -y ${debianPackage})` });
    return false;
  }
}

/** A reference script of ../shared/bench, or undefined after a line that says it is missing. */
export function sharedScript(
  emit: (line: Record<string, unknown>) => void,
  reference: string,
  name: string,
): string | undefined {
  const shared = sharedDir();
  const script = shared && join(shared, 'bench', name);
  if (script && existsSync(script)) return script;
  emit({ reference, skipped: `${name} not found in ../shared/bench` });
  return undefined;
}
