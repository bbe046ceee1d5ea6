// DARTS: the mixed operation's alpha gradient against finite differences (op level and through a
// whole supernet), derivation and the collapse guard, the strategy's state machine, a tiny supernet
// search in process, and the engine integration (one supernet trial, derived trials, resume).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { initBackend } from '../engine/training/backend.js';
import { avgPoolSame, mixedOp, reluConvBn, crossEntropy, type CandidateOp } from '../engine/training/darts/ops.js';
import { CellSupernet } from '../engine/training/darts/supernet.js';
import { alphaEntropy, collapseReason, deriveCells } from '../engine/training/darts/derive.js';
import { runSupernetJob } from '../engine/training/darts/job.js';
import { searchSupernet } from '../engine/training/darts/search.js';
import type { SupernetJob } from '../engine/training/darts/types.js';
import { darts } from '../strategies/darts.js';
import { supernetKey } from '../engine/core/trial.js';
import { createSpace } from '../engine/space/index.js';
import { deriveSeed } from '../engine/core/rng.js';
import type { JsonObject, TrialRecord } from '../engine/core/types.js';
import type { EvalJob, Evaluator } from '../engine/core/evaluator.js';
import { Store } from '../engine/store/store.js';
import { runSearch } from '../engine/search/loop.js';
import { loadWorkflow } from '../engine/workflow/index.js';
import { ROOT } from './helpers/paths.js';
import { drive } from './helpers/drive.js';

const OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'];
const nb201 = createSpace({ kind: 'cell', preset: 'nb201', nodes: 4, ops: OPS });

test.before(async () => {
  await initBackend('auto');
});

/** Central finite differences of f at a (float32 arithmetic inside f, so a coarse step). */
function finiteDiff(f: (a: number[][]) => number, a: number[][], h = 1e-2): number[][] {
  return a.map((row, i) =>
    row.map((_, k) => {
      const p = a.map((r) => [...r]);
      const m = a.map((r) => [...r]);
      p[i][k] += h;
      m[i][k] -= h;
      return (f(p) - f(m)) / (2 * h);
    }),
  );
}

function assertClose(got: number[][], want: number[][], rel: number, abs: number, what: string): void {
  got.forEach((row, i) =>
    row.forEach((g, k) => {
      const w = want[i][k];
      assert.ok(
        Math.abs(g - w) <= abs + rel * Math.abs(w),
        `${what}[${i}][${k}]: autodiff ${g} vs finite difference ${w}`,
      );
    }),
  );
}

test('mixed op: d/d alpha of sum(r * sum_k softmax(alpha)_k op_k(x)) matches finite differences', () => {
  const x = tf.randomNormal([2, 5, 5, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const r = tf.randomNormal([2, 5, 5, 3], 0, 1, 'float32', 2);
  const k1 = tf.variable(tf.randomNormal([1, 1, 3, 3], 0, 0.5, 'float32', 3));
  const k3 = tf.variable(tf.randomNormal([3, 3, 3, 3], 0, 0.3, 'float32', 4));
  const ops: CandidateOp[] = [
    () => null,
    (v) => v,
    (v) => reluConvBn(v as tf.Tensor4D, k1),
    (v) => reluConvBn(v as tf.Tensor4D, k3),
    (v) => avgPoolSame(v as tf.Tensor4D, 3, 1),
  ];
  const objective = (alpha: tf.Tensor): tf.Scalar =>
    tf.sum(tf.mul(mixedOp(x, tf.softmax(alpha) as tf.Tensor1D, ops)!, r));
  const a0 = [[0.3, -0.2, 0.5, 0.1, -0.4]];
  const grad = tf.tidy(
    () =>
      tf
        .grad((a: tf.Tensor) => objective(a))(tf.tensor1d(a0[0]))
        .arraySync() as number[],
  );
  const fd = finiteDiff((a) => tf.tidy(() => objective(tf.tensor1d(a[0])).dataSync()[0]), a0);
  assertClose([grad], fd, 2e-2, 2e-2, 'dL/dalpha');
  // the gradient is not trivially zero, and `none` (a zero output) still gets a gradient through the softmax
  assert.ok(
    grad.some((g) => Math.abs(g) > 0.05),
    JSON.stringify(grad),
  );
  assert.ok(Math.abs(grad[0]) > 1e-4, `none's alpha gradient ${grad[0]}`);
  tf.dispose([x, r, k1, k3]);
});

test('supernet: the loss gradient with respect to every edge alpha matches finite differences', () => {
  const net = new CellSupernet({
    nodes: 4,
    ops: OPS,
    inputShape: [6, 6, 1],
    classes: 3,
    skeleton: { channels: 3, cells: 1, stages: 2 },
    seed: 5,
  });
  const x = tf.randomNormal([6, 6, 6, 1], 0, 1, 'float32', 6);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32'), 3).toFloat() as tf.Tensor2D;
  const a0 = tf.tidy(() => tf.randomNormal([6, 5], 0, 0.5, 'float32', 7).arraySync() as number[][]);
  const lossAt = (a: number[][]) => {
    net.alpha.assign(tf.tensor2d(a));
    return tf.tidy(() => crossEntropy(net.forward(x), y).dataSync()[0]);
  };
  net.alpha.assign(tf.tensor2d(a0));
  const grad = tf.tidy(
    () =>
      tf
        .variableGrads(() => crossEntropy(net.forward(x), y), [net.alpha])
        .grads[net.alpha.name].arraySync() as number[][],
  );
  const fd = finiteDiff(lossAt, a0, 2e-2);
  assertClose(grad, fd, 5e-2, 3e-3, 'dLoss/dalpha');
  assert.ok(grad.flat().some((g) => Math.abs(g) > 1e-3));
  net.dispose();
  tf.dispose([x, y]);
});

test('derivation: strongest non-none op per edge, inputs per node, distinct candidates; entropy', () => {
  // edge 0 prefers none (ignored) then conv3x3; others as marked
  const alpha = [
    [5, 0, 0, 2, 0],
    [0, 3, 0, 0, 0],
    [0, 0, 4, 0, 1],
    [0, 0, 0, 0, 2],
    [0, 1, 0, 1.1, 0],
    [0, 0, 2, 0, 0],
  ];
  const [first, second] = deriveCells(alpha, { nodes: 4, ops: OPS, candidates: 2 });
  assert.equal(first, ['nor_conv_3x3', 'skip_connect', 'nor_conv_1x1', 'avg_pool_3x3', 'nor_conv_3x3', 'nor_conv_1x1']);
  // the least certain edge (4: conv3x3 1.1 vs skip 1) flips
  assert.equal(second, [
    'nor_conv_3x3',
    'skip_connect',
    'nor_conv_1x1',
    'avg_pool_3x3',
    'skip_connect',
    'nor_conv_1x1',
  ]);
  const [top2] = deriveCells(alpha, { nodes: 4, ops: OPS, inputsPerNode: 1 });
  // node 2 keeps its stronger input (2<-1: conv1x1 at 4 > 2<-0: skip at 3); node 3 keeps 3<-0 (pool 2 ≈ conv 2: the first)
  assert.equal(top2, ['nor_conv_3x3', 'none', 'nor_conv_1x1', 'avg_pool_3x3', 'none', 'none']);
  assert.ok(Math.abs(alphaEntropy([[0, 0, 0]]) - 1) < 1e-9);
  assert.ok(alphaEntropy([[50, 0, 0]]) < 1e-6);
});

test('collapse guard: skip-dominated or parameter-free cells count as collapsed', () => {
  assert.match(
    collapseReason(['skip_connect', 'skip_connect', 'nor_conv_3x3', 'none', 'none', 'none'], 2) ?? '',
    /2 skip connections/,
  );
  assert.match(
    collapseReason(['avg_pool_3x3', 'skip_connect', 'avg_pool_3x3', 'none', 'avg_pool_3x3', 'none'], 2) ?? '',
    /no parametric/,
  );
  assert.is(
    collapseReason(['nor_conv_3x3', 'skip_connect', 'nor_conv_1x1', 'avg_pool_3x3', 'nor_conv_3x3', 'none'], 2),
    null,
  );
});

test('collapse guard in the loop: the search stops at the first collapsed epoch and derives from the last sound one', async () => {
  const net = new CellSupernet({
    nodes: 3,
    ops: ['none', 'skip_connect', 'nor_conv_1x1'],
    inputShape: [4, 4, 1],
    classes: 2,
    skeleton: { channels: 2, cells: 1, stages: 1 },
    seed: 1,
  });
  const x = tf.randomNormal([8, 4, 4, 1], 0, 1, 'float32', 9);
  const y = tf.oneHot(tf.tensor1d([0, 1, 0, 1, 0, 1, 0, 1], 'int32'), 2).toFloat() as tf.Tensor2D;
  const data = { xTrain: x, yTrain: y, xAlpha: x, yAlpha: y, xVal: x, yVal: y };
  let calls = 0;
  const out = await searchSupernet(
    net,
    data,
    { epochs: 6, warmup: 1, guard_after: 2, batch_size: 4, select: 'alpha' },
    1,
    {
      cancelled: () => false,
      derive: () => {
        calls++;
        return { archs: [{ ops: [`epoch${calls}`] }], collapsed: calls >= 4 ? 'too many skips' : null };
      },
      deriveFromScores: () => [],
    },
  );
  assert.is(out.curve.length, 4); // epoch 1 is warm-up; epochs 2, 3 sound; 4 collapsed -> stop
  assert.match(out.stop, /collapse guard: too many skips at epoch 4/);
  assert.is(out.derivedFrom, 3);
  assert.equal(out.derived, [{ ops: ['epoch3'] }]);
  assert.is(out.curve[3].metrics.supernet_collapsed, 1);
  net.dispose();
  tf.dispose([x, y]);
});

const DIGITS = { source: 'builtin:digits', label: 'label', split: { validation: 0.2 } };

function tinyJob(options: JsonObject = {}): SupernetJob {
  return {
    type: 'supernet',
    trial: 1,
    attempt: 1,
    seed: 3,
    request: {
      id: 'darts',
      options: {
        epochs: 2,
        warmup: 0,
        max_steps: 3,
        batch_size: 16,
        skeleton: { channels: 4, cells: 1, stages: 1 },
        guard_after: 1,
        ...options,
      },
    },
    space: { kind: 'cell', preset: 'nb201', nodes: 4, ops: OPS },
    dataset: DIGITS,
    dataSeed: 1,
    backend: 'auto',
    evalBatchSize: 256,
  };
}

test('a tiny supernet search on digits: progress per epoch, alphas per epoch, a valid derived cell, no leaked tensors', async () => {
  const epochs: number[] = [];
  const r1 = await runSupernetJob(tinyJob(), 'wasm', {
    cancelled: () => false,
    onEpoch: (e, m) => {
      epochs.push(e);
      assert.ok('alpha_entropy' in m && 'supernet_train_loss' in m);
    },
  });
  const before = tf.memory().numTensors; // the run's data stays cached per thread
  const r2 = await runSupernetJob(
    tinyJob({ order: 'second', beta_decay: 0.5, alpha_data: 'train-half', select: 'alpha' }),
    'wasm',
    { cancelled: () => false },
  );
  assert.is(tf.memory().numTensors, before, 'tensors leaked by a supernet search');
  for (const r of [r1, r2]) {
    assert.is(r.alphas.length, r.curve.length);
    assert.ok(r.alphas.every((a) => a.alpha.length === 6 && a.alpha.every((row) => row.length === 5)));
    assert.ok(r.derived.length >= 1);
    nb201.validate(r.derived[0]);
    assert.ok(Number.isFinite(r.metrics.supernet_val_loss));
  }
  assert.equal(
    epochs,
    r1.curve.map((p) => p.step),
  );
  // perturbation selection (the default): a score per edge and op, zero for none, and the derived cell follows it
  assert.ok(
    r1.scores &&
      r1.scores.length === 6 &&
      r1.scores.every((row) => row.length === 5 && row[0] === 0 && row.every(Number.isFinite)),
  );
  const lead = (r1.derived[0] as { ops: string[] }).ops;
  r1.scores!.forEach((row, e) => {
    const best = row.reduce((b, v, k) => (k > 0 && v > row[b] ? k : b), 1);
    assert.is(lead[e], OPS[best]);
  });
  assert.is(r2.scores, undefined);
  // alphas moved from their N(0, 1e-3) start
  assert.ok(r1.alphas[1].alpha.flat().some((v) => Math.abs(v) > 1e-3));
  // a cancelled search stops at once
  const r3 = await runSupernetJob(tinyJob(), 'wasm', { cancelled: () => true });
  assert.ok(r3.cancelled);
});

test('chain spaces: a supernet over the shape-preserving layers of each slot; the derived chain belongs to the space', async () => {
  const image = {
    kind: 'chain' as const,
    input: [8, 8, 1],
    layers: {
      min: 1,
      max: 3,
      choose: {
        conv2d: { filters: [4, 8], kernel: [3], residual: [false, true] },
        max_pool: { size: [2] },
        dense: { units: [16] },
        batch_norm: {},
        dropout: { rate: [0.2] },
      },
    },
    hyper: { learning_rate: [0.003, 0.001] },
  };
  const flat = {
    kind: 'chain' as const,
    input: [4],
    layers: {
      min: 1,
      max: 2,
      choose: { dense: { units: [4, 8], activation: ['relu', 'tanh'] }, dropout: { rate: [0.1] } },
    },
    hyper: {},
  };
  const before = tf.memory().numTensors;
  for (const [space, dataset] of [
    [image, DIGITS],
    [flat, { source: 'builtin:iris', label: 'label', split: { validation: 0.2 } }],
  ] as const) {
    const job = { ...tinyJob({ candidates: 2 }), space };
    job.dataset = dataset;
    const r = await runSupernetJob(job, 'wasm', { cancelled: () => false });
    const s = createSpace(space);
    assert.ok(r.derived.length >= 1);
    for (const a of r.derived) s.validate(a);
    // slot 0 (< min) has no identity; later slots do
    assert.not.ok(r.columns[0].includes('identity'));
    assert.ok(r.columns[1].includes('identity'));
    assert.is(r.alphas[0].alpha[0].length, r.columns[0].length);
    assert.ok(!r.columns.flat().some((c) => c.startsWith('max_pool')));
  }
  // only the data cached per thread stays
  assert.ok(tf.memory().numTensors - before <= 8, `${tf.memory().numTensors - before} tensors left`);
});

const OBJ = { metric: 'accuracy', mode: 'max' as const };

test('strategy: one supernet request, waits for it, proposes the derived cells, then done; snapshot/restore', () => {
  const derived = [
    { ops: ['nor_conv_3x3', 'nor_conv_3x3', 'nor_conv_3x3', 'skip_connect', 'nor_conv_3x3', 'nor_conv_3x3'] },
    { ops: ['nor_conv_3x3', 'nor_conv_1x1', 'nor_conv_3x3', 'skip_connect', 'nor_conv_3x3', 'nor_conv_3x3'] },
  ];
  const s = darts.create(
    { candidates: 2 },
    { space: nb201, seed: 1, objective: OBJ, capabilities: { supernet: true } },
  );
  const a = s.ask();
  assert.ok('supernet' in a && a.supernet.id === 'darts');
  assert.ok('wait' in s.ask());
  const snap = JSON.parse(JSON.stringify(s.snapshot()));
  const record: TrialRecord = {
    number: 1,
    key: supernetKey('darts'),
    arch: { supernet: {} },
    state: 'complete',
    metrics: {},
    seed: 0,
    attempts: 1,
    startedAt: 0,
    info: { job: 'supernet', derived },
  };
  for (const st of [s, darts.create({}, { space: nb201, seed: 1, objective: OBJ, capabilities: { supernet: true } })]) {
    if (st !== s) st.restore(snap);
    st.tell(record);
    const p1 = st.ask();
    const p2 = st.ask();
    assert.ok('arch' in p1 && 'arch' in p2);
    assert.equal([p1.arch, p2.arch], derived);
    assert.ok('done' in st.ask());
  }
  // a failed supernet ends the strategy
  const f = darts.create({}, { space: nb201, seed: 1, objective: OBJ, capabilities: { supernet: true } });
  f.ask();
  f.tell({ ...record, state: 'failed', error: 'boom', info: { job: 'supernet' } });
  assert.ok('done' in f.ask());
});

test('strategy: without a supernet-capable evaluator it degrades to random sampling (marked)', () => {
  const s = darts.create({}, { space: nb201, seed: 4, objective: OBJ });
  const a = s.ask();
  assert.ok('arch' in a && a.info?.origin === 'random-fallback');
  const records = drive(s, nb201, () => ({ accuracy: 1 }), { budget: 10, parallel: 2 });
  assert.is(records.length, 10);
});

/** A fake evaluator: the supernet "derives" two fixed cells; candidates score by their conv count. */
class FakeEvaluator implements Evaluator {
  supernets = 0;
  evaluations = 0;
  block: Promise<void> | undefined;
  async evaluate(job: EvalJob) {
    this.evaluations++;
    const ops = (job.arch as { ops: string[] }).ops;
    return { metrics: { accuracy: ops.filter((o) => o.startsWith('nor_conv')).length } };
  }
  async supernet(job: EvalJob, ctx: { signal: AbortSignal; report(step: number, m: Record<string, number>): void }) {
    this.supernets++;
    ctx.report(1, { supernet_train_loss: 1, alpha_entropy: 0.9 });
    if (this.block) {
      await new Promise<void>((resolve, reject) =>
        ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))),
      );
    }
    const req = (job.arch as { supernet: { options: JsonObject } }).supernet;
    assert.is(req.options.epochs, 7);
    return {
      metrics: { supernet_val_accuracy: 0.9 },
      info: {
        derived: [
          { ops: ['nor_conv_3x3', 'nor_conv_3x3', 'nor_conv_3x3', 'skip_connect', 'nor_conv_3x3', 'nor_conv_3x3'] },
          { ops: ['nor_conv_1x1', 'skip_connect', 'nor_conv_3x3', 'skip_connect', 'avg_pool_3x3', 'nor_conv_3x3'] },
        ],
        alphas: [{ epoch: 1, alpha: [[0]] }],
      },
    };
  }
  async close() {}
}

test('engine: the supernet runs as one trial, the derived cells as trials of the same run; resume re-runs only an unfinished supernet', async () => {
  const base = loadWorkflow(join(ROOT, 'workflows', 'nb201-regularized-evolution.yaml'));
  const wf = { ...base, strategy: { type: 'darts', epochs: 7, candidates: 2 }, budget: { trials: 10, failures: 2 } };
  const space = createSpace(wf.space);
  const mk = () =>
    darts.create(
      { epochs: 7, candidates: 2 },
      { space, seed: deriveSeed(wf.seed, 'strategy'), objective: wf.objective, capabilities: { supernet: true } },
    );
  const store = Store.open(':memory:');
  const runId = store.createRun({
    name: wf.name,
    workflowFile: wf.source.file,
    workflowText: wf.source.text,
    workflowHash: wf.source.hash,
    config: {},
  });

  // 1. interrupted while the supernet trains: it stays running
  const ev1 = new FakeEvaluator();
  ev1.block = Promise.resolve();
  const ctl = new AbortController();
  const p = runSearch({ store, runId, workflow: wf, space, strategy: mk(), evaluator: ev1, signal: ctl.signal });
  await new Promise((r) => setTimeout(r, 50));
  ctl.abort();
  const o1 = await p;
  assert.is(o1.status, 'stopped');
  assert.equal(
    store.trials(runId, '').map((t) => [t.key, t.state]),
    [[supernetKey('darts'), 'running']],
  );

  // 2. resume: the supernet runs again, then the derived cells
  const ev2 = new FakeEvaluator();
  const o2 = await runSearch({ store, runId, workflow: wf, space, strategy: mk(), evaluator: ev2 });
  assert.is(o2.status, 'complete');
  assert.is(ev2.supernets, 1);
  assert.is(ev2.evaluations, 2);
  const trials = store.trials(runId, '');
  assert.equal(
    trials.map((t) => t.state),
    ['complete', 'complete', 'complete'],
  );
  assert.is(trials[0].info?.job, 'supernet');
  assert.ok(Array.isArray(trials[0].info?.alphas));
  assert.equal(trials[0].curve?.[0].metrics.alpha_entropy, 0.9);
  assert.equal(
    trials.slice(1).map((t) => t.info?.origin),
    ['darts-derived', 'darts-derived'],
  );
  // the best is a derived cell, never the supernet
  assert.is(o2.best?.number, 2);

  // 3. resume again: nothing is re-run
  const ev3 = new FakeEvaluator();
  const o3 = await runSearch({ store, runId, workflow: wf, space, strategy: mk(), evaluator: ev3 });
  assert.is(o3.status, 'complete');
  assert.is(ev3.supernets + ev3.evaluations, 0);
  store.close();
});

test('engine: an evaluator without supernet support is a fatal error when asked for one', async () => {
  const base = loadWorkflow(join(ROOT, 'workflows', 'nb201-regularized-evolution.yaml'));
  const wf = { ...base, budget: { trials: 3, failures: 2 } };
  const space = createSpace(wf.space);
  const store = Store.open(':memory:');
  const runId = store.createRun({
    name: wf.name,
    workflowFile: wf.source.file,
    workflowText: wf.source.text,
    workflowHash: wf.source.hash,
    config: {},
  });
  const strategy = darts.create({}, { space, seed: 1, objective: wf.objective, capabilities: { supernet: true } });
  const evaluator: Evaluator = { evaluate: async () => ({ metrics: {} }), close: async () => {} };
  const o = await runSearch({ store, runId, workflow: wf, space, strategy, evaluator });
  assert.is(o.status, 'failed');
  assert.match(o.reason, /cannot train/);
  store.close();
});

test.run();
