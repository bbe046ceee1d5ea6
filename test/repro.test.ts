// Reproducible runs: a train search with two workers, early stopping and dropout, run twice, gives
// the same trial table bit for bit under `schedule: reproducible` (the default), also when it was
// interrupted and resumed. Under `schedule: eager` the tell order follows timing; the test prints how
// far two eager runs agree instead of asserting it.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadWorkflow } from '../engine/workflow/index.js';
import { Store } from '../engine/store/store.js';
import { resumeRun, startRun } from '../engine/search/run.js';
import type { WorkflowConfig } from '../engine/core/workflow.js';
import { FIXTURES, scratch } from './helpers/paths.js';

const DIGITS = join(FIXTURES, 'repro', 'digits.yaml');

interface Row {
  number: number;
  key: string;
  state: string;
  metrics: Record<string, number>;
  curve: unknown;
}

function table(store: Store, run: number): Row[] {
  return store.trials(run, '').map((t) => ({
    number: t.number,
    key: t.key,
    state: t.state,
    metrics: t.metrics,
    curve: t.curve ?? null,
  }));
}

async function runOnce(dir: string, name: string, wf: WorkflowConfig, stopAfter?: number): Promise<Row[]> {
  const store = Store.open(join(dir, `${name}.sqlite`));
  try {
    const ac = new AbortController();
    const first = await startRun(store, wf, {
      signal: ac.signal,
      onEvent: (e) => {
        if (stopAfter !== undefined && e.type === 'trial-finished' && e.finished >= stopAfter) ac.abort();
      },
    });
    if (stopAfter !== undefined) {
      assert.is(first.status, 'stopped', 'the run was interrupted');
      const partial = store.trials(first.run, '');
      assert.ok(partial.length < 12, `interrupted after ${partial.length} trials`);
      const again = await resumeRun(store, first.run, undefined);
      assert.is(again.status, 'complete', again.reason);
    } else assert.is(first.status, 'complete', first.reason);
    return table(store, first.run);
  } finally {
    store.close();
  }
}

test('schedule: reproducible gives the same trial table twice, and after an interruption and resume', async () => {
  const dir = scratch('repro');
  try {
    const wf = loadWorkflow(DIGITS);
    assert.is(wf.schedule, 'reproducible', 'the default');
    const a = await runOnce(dir, 'a', wf);
    assert.is(a.length, 12);
    assert.equal(
      a.map((r) => r.number),
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
    assert.ok(
      a.some((r) => r.state === 'pruned'),
      'early stopping stopped some trials (else the test would not cover it)',
    );
    const b = await runOnce(dir, 'b', wf);
    assert.equal(b, a, 'a second run gives the same keys, states, metrics and curves');
    const c = await runOnce(dir, 'c', wf, 4);
    assert.equal(c, a, 'interrupted after 4 trials and resumed: the same table as the uninterrupted run');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('schedule: eager may differ between two runs (documented, not asserted)', async () => {
  const dir = scratch('repro-eager');
  try {
    const wf = { ...loadWorkflow(DIGITS), schedule: 'eager' as const };
    const a = await runOnce(dir, 'a', wf);
    const b = await runOnce(dir, 'b', wf);
    assert.is(a.length, 12);
    assert.is(b.length, 12);
    const same = a.filter((r, i) => JSON.stringify(r) === JSON.stringify(b[i])).length;
    const firstDiff = a.findIndex((r, i) => JSON.stringify(r) !== JSON.stringify(b[i]));
    console.log(
      `  eager: ${same}/12 trials identical in two runs` +
        (firstDiff >= 0 ? `; first difference at trial ${firstDiff + 1}` : ''),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
