// The layer check (.dependency-cruiser.cjs, run by `npm test` as `npm run check:layers`) passes on the
// tree and fails on a planted upward import and on a planted cycle.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT, scratch } from './helpers/paths.js';

const DEPCRUISE = join(ROOT, 'node_modules', '.bin', 'depcruise');

function cruise(cwd: string): { status: number | null; out: string } {
  const r = spawnSync(
    DEPCRUISE,
    ['engine', 'strategies', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'],
    {
      cwd,
      encoding: 'utf8',
    },
  );
  return { status: r.status, out: r.stdout + r.stderr };
}

/** A scratch tree with the real rules and the given files. */
function planted(files: Record<string, string>): string {
  const dir = scratch('layers');
  copyFileSync(join(ROOT, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }),
  );
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

test('the tree keeps its layers and has no import cycle', () => {
  const r = cruise(ROOT);
  assert.is(r.status, 0, r.out);
});

test('an upward import fails the check, naming the rule and the import', () => {
  const dir = planted({
    'engine/core/types.ts': "import { run } from '../search/loop.js';\nexport const x = run;\n",
    'engine/search/loop.ts': 'export const run = 1;\n',
    'strategies/random.ts': "import { x } from '../engine/core/types.js';\nexport const y = x;\n",
  });
  const r = cruise(dir);
  assert.is.not(r.status, 0, r.out);
  assert.match(r.out, /layer:engine\/core: engine\/core\/types\.ts → engine\/search\/loop\.ts/);
  assert.not.match(r.out, /strategies\/random\.ts →/, 'a downward import is fine');
  rmSync(dir, { recursive: true, force: true });
});

test('a sideways import between layers of one level and a cycle inside a folder fail too', () => {
  const dir = planted({
    'strategies/darts.ts': "import { t } from '../engine/training/darts.js';\nexport const d = t;\n",
    'engine/training/darts.ts': 'export const t = 1;\n',
    'engine/search/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
    'engine/search/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
  });
  const r = cruise(dir);
  assert.is.not(r.status, 0, r.out);
  assert.match(r.out, /layer:strategies: strategies\/darts\.ts → engine\/training\/darts\.ts/);
  assert.match(r.out, /no-cycle/);
  rmSync(dir, { recursive: true, force: true });
});

test.run();
