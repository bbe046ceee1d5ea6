// Runs every compiled test file (dist/test/**/*.test.js) in its own Node process, one after the
// other: tfjs keeps global state (backends, kernel registries), so files must not share a process.
// Prints the uvu output of each and a closing `N passed, N failed` line. Usage: runner [PATTERN]

import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'fixtures' ? [] : testFiles(p);
    return name.endsWith('.test.js') ? [p] : [];
  });
}

const pattern = process.argv[2] ? new RegExp(process.argv[2]) : undefined;
const files = testFiles(here)
  .filter((f) => !pattern || pattern.test(relative(here, f)))
  .sort();
let passed = 0;
let failed = 0;
const failedFiles: string[] = [];
const t0 = Date.now();
for (const file of files) {
  const started = Date.now();
  const r = spawnSync(process.execPath, [file], {
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const out = (r.stdout ?? '') + (r.stderr ?? '');
  process.stdout.write(out);
  const total = Number(/Total:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const ok = Number(/Passed:\s+(\d+)/.exec(out)?.[1] ?? 0);
  passed += ok;
  const bad = Math.max(total - ok - Number(/Skipped:\s+(\d+)/.exec(out)?.[1] ?? 0), r.status === 0 ? 0 : 1);
  failed += bad;
  if (bad > 0 || r.status !== 0) failedFiles.push(relative(here, file));
  process.stdout.write(
    `-- ${relative(here, file)}: ${ok}/${total} in ${((Date.now() - started) / 1000).toFixed(1)}s\n`,
  );
}
if (failedFiles.length > 0) process.stdout.write(`failing files: ${failedFiles.join(', ')}\n`);
process.stdout.write(`${files.length} test files in ${((Date.now() - t0) / 1000).toFixed(1)}s\n`);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 || files.length === 0 ? 1 : 0);
