// backend: auto when tfjs-node fails to load (as where its install script could not download
// libtensorflow): training falls back to wasm, and `nas run --verbose` says so in one line.
// NAS_TFJS_NODE_MODULE points the import at a module that throws on load, as a broken install does.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../engine/store/store.js';
import { initBackend } from '../engine/training/backend.js';
import { FIXTURES, NAS_BIN, scratch } from './helpers/paths.js';

const BROKEN = join(FIXTURES, 'backend', 'broken-tfjs-node.mjs');
const NOTE =
  /^backend auto: \S*broken-tfjs-node\.mjs did not load \(libtensorflow\.so\.2: cannot open shared object file: No such file or directory\); training on wasm$/;

test('initBackend(auto) with a tfjs-node that fails to load: wasm, and a note saying why', async () => {
  process.env.NAS_TFJS_NODE_MODULE = BROKEN;
  try {
    const notes: string[] = [];
    assert.is(await initBackend('auto', (l) => notes.push(l)), 'wasm');
    assert.is(notes.length, 1);
    assert.match(notes[0], NOTE);
  } finally {
    delete process.env.NAS_TFJS_NODE_MODULE;
  }
});

test('nas run --verbose prints the fallback once; every trial records backend wasm', () => {
  const dir = scratch('backend-fallback');
  try {
    const r = spawnSync(
      process.execPath,
      [NAS_BIN, 'run', join(FIXTURES, 'train', 'iris.yaml'), '--store', 's.sqlite', '--verbose'],
      { cwd: dir, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NAS_TFJS_NODE_MODULE: BROKEN } },
    );
    assert.is(r.status, 0, r.stderr);
    const notes = r.stderr.split('\n').filter((l) => l.startsWith('backend auto:'));
    assert.is(notes.length, 1, r.stderr);
    assert.match(notes[0], NOTE);
    const store = Store.open(join(dir, 's.sqlite'));
    const backends = store.trials(1, '').map((t) => t.info?.backend);
    store.close();
    assert.equal(backends, ['wasm', 'wasm', 'wasm', 'wasm']);
    const quiet = spawnSync(
      process.execPath,
      [NAS_BIN, 'run', join(FIXTURES, 'train', 'iris.yaml'), '--store', 'q.sqlite'],
      {
        cwd: dir,
        encoding: 'utf8',
        timeout: 120_000,
        env: { ...process.env, NAS_TFJS_NODE_MODULE: BROKEN },
      },
    );
    assert.is(quiet.status, 0, quiet.stderr);
    assert.not.match(quiet.stderr, /backend auto:/, 'silent without --verbose');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
