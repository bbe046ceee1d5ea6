// A worker that dies mid-training fails only that attempt: the engine retries the trial and the run
// completes. Fault injection: NAS_TEST_CRASH_TRIAL=N makes the first attempt of trial N exit.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadWorkflow } from '../engine/workflow/index.js';
import { Store } from '../engine/store/store.js';
import { startRun } from '../engine/search/run.js';
import { FIXTURES, scratch } from './helpers/paths.js';

test('a worker killed mid-training: the trial is retried and the run completes', async () => {
  const dir = scratch('train-crash');
  process.env.NAS_TEST_CRASH_TRIAL = '2';
  try {
    const wf = loadWorkflow(join(FIXTURES, 'train', 'iris.yaml'));
    const store = Store.open(join(dir, 's.sqlite'));
    const retries: string[] = [];
    const summary = await startRun(store, wf, {
      onEvent: (e) => e.type === 'trial-retry' && retries.push(`${e.number}: ${e.error}`),
    });
    const trials = store.trials(summary.run, '');
    store.close();
    assert.is(summary.status, 'complete', summary.reason);
    assert.is(summary.trials, 4);
    assert.ok(trials.every((t) => t.state === 'complete'));
    const t2 = trials.find((t) => t.number === 2)!;
    assert.is(t2.attempts, 2);
    assert.is(retries.length, 1);
    assert.match(retries[0], /^2: training worker failed: worker exited with code: 3/);
    assert.ok(trials.filter((t) => t.number !== 2).every((t) => t.attempts === 1));
  } finally {
    delete process.env.NAS_TEST_CRASH_TRIAL;
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
