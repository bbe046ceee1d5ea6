// Ctrl-C while candidates train (nas run through the real command line): exit 130, the run is
// stopped, its running trials stay `running`; `nas resume` then completes the budget.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../engine/store/store.js';
import { FIXTURES, NAS_BIN, scratch } from './helpers/paths.js';

const WORKFLOW = join(FIXTURES, 'train', 'iris-long.yaml');

function runAndInterrupt(storePath: string): Promise<{ code: number | null; stderr: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [NAS_BIN, 'run', WORKFLOW, '--store', storePath, '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let sentAt = 0;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!sentAt && /^trial \d+ /m.test(stderr)) {
        sentAt = Date.now();
        child.kill('SIGINT');
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stderr, ms: Date.now() - sentAt }));
  });
}

test('Ctrl-C during training exits 130; nas resume completes the budget', async () => {
  const dir = scratch('train-sigint');
  const storePath = join(dir, 's.sqlite');
  try {
    const stopped = await runAndInterrupt(storePath);
    assert.is(stopped.code, 130, stopped.stderr);
    assert.ok(stopped.ms < 10_000, `stopped ${stopped.ms} ms after Ctrl-C`);
    let store = Store.open(storePath);
    const run = store.latestRun()!;
    const before = store.trials(run.id, '');
    store.close();
    assert.is(run.status, 'stopped');
    const done = before.filter((t) => t.state === 'complete');
    assert.ok(done.length >= 1 && done.length < 6, `${done.length} complete before resume`);
    const r = spawnSync(process.execPath, [NAS_BIN, 'resume', '--store', storePath, '--json'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.is(r.status, 0, r.stderr);
    const json = JSON.parse(r.stdout.trim().split('\n').pop()!) as { status: string; trials: number };
    assert.is(json.status, 'complete');
    assert.is(json.trials, 6);
    store = Store.open(storePath);
    const after = store.trials(run.id, '');
    store.close();
    assert.is(after.length, 6);
    assert.ok(after.every((t) => t.state === 'complete'));
    for (const t of done)
      assert.equal(
        after.find((a) => a.number === t.number),
        t,
        `trial ${t.number} unchanged`,
      );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
