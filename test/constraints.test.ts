// Hard constraints: a candidate outside them is rejected before it is evaluated, recorded in the store,
// told to the strategy as failed, and never counted as a trial; resume keeps the rejections.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadWorkflow } from '../engine/workflow/index.js';
import { Store } from '../engine/store/store.js';
import { resumeRun, startRun } from '../engine/search/run.js';
import { constraintViolations } from '../engine/search/loop.js';
import { FIXTURES, scratch } from './helpers/paths.js';
import { synthRows, writeSynthWorkflow } from './helpers/synthetic.js';

test('constraintViolations', () => {
  assert.equal(constraintViolations({ params: { max: 10 }, flops: { min: 5 } }, { params: 11, flops: 4 }), [
    'params 11 > max 10',
    'flops 4 < min 5',
  ]);
  assert.equal(constraintViolations({ params: { max: 10 } }, { params: 10 }), []);
});

test('params: { max: N } is never violated; rejections are recorded, not counted, and survive resume', async () => {
  const dir = scratch('constraints');
  try {
    const rows = synthRows();
    const max = [...rows.map((r) => r.params)].sort((a, b) => a - b)[Math.floor(rows.length / 2)];
    const feasible = rows.filter((r) => r.params <= max);
    const file = writeSynthWorkflow(
      dir,
      'constrained',
      `constraints: { params: { max: ${max} } }\nstrategy: { type: regularized-evolution, population: 4, sample: 2 }\nbudget: { trials: 10 }\n`,
    );
    const store = Store.open(join(dir, 'store.sqlite'));
    const wf = loadWorkflow(file);
    const s = await startRun(store, wf);
    assert.is(s.status, 'complete', s.reason);
    const trials = store.trials(s.run, '');
    assert.is(trials.length, 10, 'rejected candidates do not use the budget');
    assert.equal(
      trials.map((t) => t.number),
      Array.from({ length: 10 }, (_, i) => i + 1),
    );
    for (const t of trials) {
      assert.ok(t.metrics.params <= max, `trial ${t.number}: params ${t.metrics.params} > ${max}`);
      assert.equal(t.info?.measured, { params: t.metrics.params }, 'measured before evaluation');
    }
    const rejected = store.rejected(s.run);
    assert.ok(rejected.length > 0, 'the strategy proposed some candidates that are too big');
    const keys = new Set(trials.map((t) => t.key));
    for (const r of rejected) {
      assert.ok(r.measured.params > max);
      assert.match(r.reason, new RegExp(`^rejected by constraints: params ${r.measured.params} > max ${max}$`));
      assert.not.ok(keys.has(r.key));
    }
    assert.ok(feasible.length >= 10);
    // grow the budget to every feasible cell: resume evaluates only feasible ones, and each rejected key once
    const grown = { ...wf, budget: { ...wf.budget, trials: feasible.length }, source: { ...wf.source, hash: 'grown' } };
    const r = await resumeRun(store, s.run, grown);
    assert.is(r.status, 'complete', r.reason);
    const all = store.trials(s.run, '');
    assert.ok(all.every((t) => t.metrics.params <= max));
    assert.ok(all.length <= feasible.length);
    const again = store.rejected(s.run);
    assert.is(new Set(again.map((x) => x.key)).size, again.length);
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without a table column the engine measures the built model (proxy on digits): the same params the evaluator reports', async () => {
  const wf = loadWorkflow(join(FIXTURES, 'meta', 'digits-proxy.yaml'));
  const constrained = { ...wf, constraints: { params: { max: 6000 } }, budget: { ...wf.budget, trials: 6 } };
  const store = Store.open(':memory:');
  const s = await startRun(store, constrained);
  assert.is(s.status, 'complete', s.reason);
  const trials = store.trials(s.run, '');
  assert.is(trials.length, 6);
  for (const t of trials) {
    assert.ok(t.metrics.params <= 6000, String(t.metrics.params));
    assert.is((t.info?.measured as { params: number }).params, t.metrics.params, 'engine measure = evaluator report');
  }
  assert.ok(store.rejected(s.run).every((r) => r.measured.params > 6000));
  store.close();
});

test.run();
