// The `train` evaluator end to end through the real worker pool, on iris (tiny nets, 2 epochs).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadWorkflow } from '../engine/workflow/index.js';
import { Store } from '../engine/store/store.js';
import { startRun } from '../engine/search/run.js';
import { TrainEvaluator } from '../engine/evaluation/train/evaluator.js';
import { resolveSettings } from '../engine/evaluation/train/options.js';
import { TrialError } from '../engine/core/errors.js';
import type { Metrics } from '../engine/core/types.js';
import { FIXTURES, scratch } from './helpers/paths.js';

const IRIS = join(FIXTURES, 'train', 'iris.yaml');
const ARCH = { layers: [{ type: 'dense', units: 16, activation: 'relu' }], hyper: { learning_rate: 0.03 } };

test('a run trains every candidate in the pool and keeps the top-K models', async () => {
  const dir = scratch('train');
  try {
    const wf = loadWorkflow(IRIS);
    const store = Store.open(join(dir, 's.sqlite'));
    const progress: number[] = [];
    const summary = await startRun(store, wf, { onEvent: (e) => e.type === 'trial-progress' && progress.push(e.step) });
    assert.is(summary.status, 'complete', summary.reason);
    assert.is(summary.trials, 4);
    const trials = store.trials(summary.run, '');
    store.close();
    for (const t of trials) {
      assert.is(t.state, 'complete', t.error);
      for (const m of ['accuracy', 'loss', 'params', 'flops']) assert.type(t.metrics[m], 'number', m);
      assert.ok(t.metrics.accuracy >= 0 && t.metrics.accuracy <= 1);
      assert.ok(t.metrics.params > 0 && t.metrics.flops > 0);
      assert.is(t.info?.backend, 'wasm');
      assert.is(t.info?.epochs, 2);
      assert.is(t.info?.validation_samples, 45, 'the same 30 % stratified split for every trial');
      assert.equal(
        t.curve?.map((p) => p.step),
        [1, 2],
      );
      assert.is(t.curve?.[1].metrics.accuracy, t.metrics.accuracy);
    }
    assert.is(progress.filter((s) => s === 2).length, 4, 'per-epoch progress reached the engine');
    const kept = readdirSync(join(dir, 's.sqlite.models', String(summary.run))).sort();
    assert.is(kept.length, 3, 'keep_models defaults to 3');
    assert.ok(kept.includes(String(summary.best?.number)), 'the best trial is kept');
    for (const k of kept) assert.ok(existsSync(join(dir, 's.sqlite.models', String(summary.run), k, 'weights.bin')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hyperparameters the space searched override the options', () => {
  const s = resolveSettings(
    { epochs: 4, batch_size: 16, learning_rate: 0.1 },
    { layers: [], hyper: { batch_size: 64, optimizer: 'sgd' } },
  );
  assert.equal([s.epochs, s.batchSize, s.learningRate, s.optimizer], [4, 64, 0.1, 'sgd']);
});

test('same job, same seed: same result; cancellation stops a trial; a terminated worker is replaced', async () => {
  const wf = { ...loadWorkflow(IRIS), parallel: 1 };
  const ev = new TrainEvaluator({ workflow: wf, options: { epochs: 2, batch_size: 16, cancel_grace: 0.2 } });
  try {
    const none = new AbortController().signal;
    const job = { trial: 1, arch: ARCH, key: 'k', seed: 42, attempt: 1 };
    const a = await ev.evaluate(job, { signal: none, report() {} });
    const b = await ev.evaluate({ ...job, trial: 2 }, { signal: none, report() {} });
    assert.equal(a.metrics, b.metrics, 'seeded initialisation and shuffling');
    const c = await ev.evaluate({ ...job, trial: 3, seed: 43 }, { signal: none, report() {} });
    assert.is.not(c.metrics.loss, a.metrics.loss, 'another seed trains differently');

    // cooperative stop: abort after the first epoch
    const ev2 = new TrainEvaluator({ workflow: wf, options: { epochs: 200, batch_size: 8 } });
    try {
      const ctl = new AbortController();
      const steps: Metrics[] = [];
      const t0 = Date.now();
      const err = await ev2
        .evaluate({ ...job, trial: 4 }, { signal: ctl.signal, report: (_s, m) => (steps.push(m), ctl.abort()) })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.ok(err instanceof TrialError, String(err));
      assert.ok(steps.length >= 1 && steps.length < 10, `${steps.length} epochs reported`);
      assert.ok(Date.now() - t0 < 20_000);
    } finally {
      await ev2.close();
    }

    // hard fallback: a zero grace terminates the worker; the pool replaces it and keeps working
    const ev3 = new TrainEvaluator({ workflow: wf, options: { epochs: 200, batch_size: 8, cancel_grace: 0 } });
    try {
      const ctl = new AbortController();
      const err = await ev3.evaluate({ ...job, trial: 5 }, { signal: ctl.signal, report: () => ctl.abort() }).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof TrialError, String(err));
      const again = await ev3
        .evaluate({ ...job, trial: 6, arch: { ...ARCH } }, { signal: none, report() {} })
        .catch((e: unknown) => e);
      assert.ok(!(again instanceof Error), String(again));
    } finally {
      await ev3.close();
    }
  } finally {
    await ev.close();
  }
});

test('early stopping (asha) prunes trials, which keep their learning curve', async () => {
  const dir = scratch('train-asha');
  try {
    const base = loadWorkflow(IRIS);
    const wf = {
      ...base,
      parallel: 1,
      budget: { ...base.budget, trials: 6 },
      evaluation: {
        ...base.evaluation,
        epochs: 3,
        keep_models: 0,
        early_stopping: { rule: 'asha', min_epochs: 1, eta: 2 },
      },
    };
    const store = Store.open(join(dir, 's.sqlite'));
    const summary = await startRun(store, wf);
    const trials = store.trials(summary.run, '');
    store.close();
    assert.is(summary.status, 'complete', summary.reason);
    const pruned = trials.filter((t) => t.state === 'pruned');
    assert.ok(pruned.length >= 1, `pruned: ${pruned.length}`);
    for (const t of pruned) {
      assert.ok((t.curve?.length ?? 0) >= 1 && (t.curve?.length ?? 0) < 3, 'stopped before the last epoch');
      assert.type(t.metrics.accuracy, 'number');
    }
    assert.not.ok(existsSync(join(dir, 's.sqlite.models')), 'keep_models: 0 keeps none');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
