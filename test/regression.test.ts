// Regression: the task inferred from the label, the metrics, the objective's default mode, and a run
// end to end through the worker pool (linear head, scaled target, metrics in the target's units,
// constraints and pruning, the kept model's facts).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { inferTask, regressionTargets } from '../engine/training/datasets/targets.js';
import { clearDatasetCache, loadDataset, splitDataset } from '../engine/training/datasets/index.js';
import { regressionMetrics } from '../engine/evaluation/train/regression.js';
import { defaultMode } from '../engine/core/task.js';
import { loadWorkflow } from '../engine/workflow/index.js';
import { Store } from '../engine/store/store.js';
import { startRun } from '../engine/search/run.js';
import { FatalError } from '../engine/core/errors.js';
import { FIXTURES, scratch } from './helpers/paths.js';

interface InferCase {
  why: string;
  labels: (string | number)[];
  task: string;
}

for (const c of JSON.parse(readFileSync(join(FIXTURES, 'data', 'infer-task.json'), 'utf8')) as InferCase[]) {
  test(`inferTask: ${c.why} -> ${c.task}`, () => assert.is(inferTask(c.labels), c.task));
}

test('regression targets: numbers kept, equal-sized quantile strata, a bad label named', () => {
  const t = regressionTargets(['5', '1', '3', '2', '4', '0', '9', '7', '8', '6'], 'x.csv');
  assert.equal(Array.from(t.targets), [5, 1, 3, 2, 4, 0, 9, 7, 8, 6]);
  assert.equal(Array.from(t.strata), [1, 0, 0, 0, 0, 0, 1, 1, 1, 1], '10 samples: 2 strata of 5');
  assert.throws(() => regressionTargets(['1', '2', 'x', '4'], 'x.csv'), /x\.csv: sample 3 has the label "x"/);
});

test('metrics: mse, mae, rmse and r2 (1 - SSE/SST around the targets mean)', () => {
  const m = regressionMetrics([1, 2, 3, 6], [1, 2, 4, 5]);
  // errors 0, 0, -1, 1: SSE 2; targets' mean 3, SST 4 + 1 + 1 + 4 = 10
  assert.equal(m, { mse: 0.5, mae: 0.5, rmse: Math.sqrt(0.5), r2: 0.8 });
  assert.is(regressionMetrics([3, 3, 3, 3], [1, 2, 4, 5]).r2, 0, 'predicting the mean scores 0');
});

test('an objective without mode: errors and costs are minimised, r2 and accuracy maximised', () => {
  assert.equal(['mse', 'mae', 'rmse', 'loss', 'params', 'r2', 'accuracy'].map(defaultMode), [
    'min',
    'min',
    'min',
    'min',
    'min',
    'max',
    'max',
  ]);
  const wf = loadWorkflow(join(FIXTURES, 'workflows', 'valid', 'regression.yaml'));
  assert.equal(wf.objectives, [
    { metric: 'rmse', mode: 'min' },
    { metric: 'params', mode: 'min' },
  ]);
});

test('the split keeps the target distribution alike in both parts (stratified by quantile)', () => {
  clearDatasetCache();
  const ds = loadDataset({ source: 'builtin:diabetes', label: 'label', split: { validation: 0.2 } });
  assert.is(ds.task, 'regression');
  assert.is(ds.n, 442);
  const { train, validation } = splitDataset(ds, 0.2, 1);
  const mean = (t: Float32Array) => t.reduce((a, b) => a + b, 0) / t.length;
  assert.is(train.n + validation.n, 442);
  assert.ok(Math.abs(mean(train.targets!) - mean(validation.targets!)) < 10, 'means within 10 of ~152');
});

test('a regression run: linear head, metrics in target units, constraints, pruning, kept model facts', async () => {
  const dir = scratch('regression');
  try {
    clearDatasetCache();
    const wf = loadWorkflow(join(FIXTURES, 'train', 'linear-regression.yaml'));
    assert.equal(wf.objective, { metric: 'rmse', mode: 'min' });
    const store = Store.open(join(dir, 's.sqlite'));
    const summary = await startRun(store, wf);
    assert.is(summary.status, 'complete', summary.reason);
    const trials = store.trials(summary.run, '');
    store.close();
    for (const t of trials.filter((x) => x.state === 'complete')) {
      for (const m of ['mse', 'mae', 'rmse', 'r2', 'loss', 'params']) assert.type(t.metrics[m], 'number', m);
      assert.is(t.metrics.accuracy, undefined, 'no accuracy for a regression task');
      assert.ok(Math.abs(t.metrics.rmse ** 2 - t.metrics.mse) < 1e-6 * t.metrics.mse + 1e-9);
      assert.ok(t.metrics.params <= 5000, 'the constraint held');
    }
    const best = summary.best!;
    // the target's sd is about 2.2 and its noise 0.1: a trained net explains nearly all of it
    assert.ok(best.metrics.r2 > 0.95, `best r2 ${best.metrics.r2}`);
    assert.ok(best.metrics.rmse < 0.5, `best rmse ${best.metrics.rmse}`);
    const arch = JSON.parse(
      readFileSync(join(dir, 's.sqlite.models', String(summary.run), String(best.number), 'meta.json'), 'utf8'),
    ) as { task: string; class_names: string[]; target_scaling: { mean: number; std: number } };
    assert.is(arch.task, 'regression');
    assert.equal(arch.class_names, []);
    assert.ok(Math.abs(arch.target_scaling.mean - 10) < 0.5 && arch.target_scaling.std > 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a regression objective on a classification dataset stops the run with a one-line fatal error', async () => {
  const dir = scratch('regression-mismatch');
  try {
    const wf = loadWorkflow(join(FIXTURES, 'train', 'iris.yaml'));
    const store = Store.open(join(dir, 's.sqlite'));
    let error: unknown;
    const summary = await startRun(store, { ...wf, objective: { metric: 'r2', mode: 'max' } }).catch((e) => {
      error = e;
      return undefined;
    });
    store.close();
    const message = error instanceof FatalError ? error.message : (summary?.reason ?? '');
    assert.match(message, /objective.metric "r2" is a regression metric, but dataset builtin:iris/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
