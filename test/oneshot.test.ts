// Weight sharing (ENAS, SPOS): a single-path weight step changes only that path's weights, a higher
// reward raises the controller's log-probability of the sampled path, BatchNorm recalibration
// changes the statistics and not the weights, the supernet jobs end with scored top architectures
// and no leaked tensors, and the strategies' state machine survives snapshot/restore mid-run.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../engine/training/backend.js';
import { CellSupernet } from '../engine/training/darts/supernet.js';
import { PathSgd, pathStep, recalibrate, scorePathLoss } from '../engine/training/oneshot/paths.js';
import { runSupernetJob } from '../engine/training/darts/job.js';
import type { SupernetJob } from '../engine/training/darts/types.js';
import { ControllerPolicy, controllerPolicy } from '../strategies/lib/path-policy.js';
import { enas } from '../strategies/enas.js';
import { spos } from '../strategies/spos.js';
import { supernetKey } from '../engine/core/trial.js';
import { createSpace } from '../engine/space/index.js';
import type { JsonObject, Objective, TrialRecord } from '../engine/core/types.js';

const OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'];
const nb201 = createSpace({ kind: 'cell', preset: 'nb201', nodes: 4, ops: OPS });
const OBJ: Objective = { metric: 'accuracy', mode: 'max' };

test.before(async () => {
  await initBackend('auto');
});

function tinyNet(): CellSupernet {
  return new CellSupernet({
    nodes: 4,
    ops: OPS,
    inputShape: [6, 6, 1],
    classes: 3,
    skeleton: { channels: 4, cells: 1, stages: 1 },
    seed: 5,
  });
}

function values(net: CellSupernet): Map<string, Float32Array> {
  return new Map(net.params.weights.map((w) => [w.name, w.dataSync().slice() as Float32Array]));
}

function data(n: number, seed: number): [tf.Tensor4D, tf.Tensor2D] {
  const x = tf.randomNormal([n, 6, 6, 1], 0, 1, 'float32', seed) as tf.Tensor4D;
  const labels = tf.tensor1d(
    Array.from({ length: n }, (_, i) => (i * 7 + seed) % 3),
    'int32',
  );
  return [x, tf.oneHot(labels, 3).toFloat() as tf.Tensor2D];
}

test('a weight step on a single path changes that path’s weights and no other', () => {
  const net = tinyNet();
  const [x, y] = data(8, 1);
  // edges 1<-0 | 2<-0, 2<-1 | 3<-0, 3<-1, 3<-2: conv3x3, conv1x1, skip, none, conv3x3, conv1x1
  const path = [3, 2, 1, 0, 3, 2];
  const before = values(net);
  const opt = new PathSgd(0.1);
  pathStep(net, path, x, y, opt, { learning_rate: 0.1, weight_decay: 3e-4, grad_clip: 5 });
  const after = values(net);
  const changed = [...before.keys()].filter((k) => before.get(k)!.some((v, i) => v !== after.get(k)![i]));
  const onPath = (name: string): boolean => {
    const m = /\/e(\d)(\d)\/(\w+)$/.exec(name);
    if (!m) return true; // stem and head are on every path
    const edge = ['10', '20', '21', '30', '31', '32'].indexOf(m[1] + m[2]);
    return OPS[path[edge]] === m[3];
  };
  const cellWeights = [...before.keys()].filter((k) => /\/e\d\d\//.test(k));
  assert.ok(cellWeights.length === 12, `two convolutions on each of 6 edges, got ${cellWeights.length}`);
  assert.ok(changed.length > 0);
  for (const k of changed) assert.ok(onPath(k), `${k} is not on the sampled path but changed`);
  // every weight of the path changed (all its edges are reachable from the input)
  for (const k of before.keys())
    if (onPath(k)) assert.ok(changed.includes(k), `${k} is on the path and did not change`);
  assert.is(changed.filter((k) => /\/e\d\d\//.test(k)).length, 4);
  opt.dispose();
  net.dispose();
  tf.dispose([x, y]);
});

test('a higher reward raises the log-probability of the sampled path', () => {
  const columns = Array.from({ length: 6 }, () => OPS);
  const lp: number[] = [];
  for (const reward of [0.2, 0.9]) {
    const p = new ControllerPolicy(columns, 11, { controller_learning_rate: 0.01 });
    const path = p.sample();
    p.update([{ path, reward: 0.5 }]); // sets the baseline at 0.5 (zero advantage)
    const before = p.logProb(path);
    p.update([{ path, reward }]);
    lp.push(p.logProb(path) - before);
  }
  assert.ok(lp[0] < 0, `a reward below the baseline lowers log pi (change ${lp[0]})`);
  assert.ok(lp[1] > 0, `a reward above the baseline raises log pi (change ${lp[1]})`);
  // the policy the worker gets is the same controller
  assert.ok(
    controllerPolicy(columns, 1, {})
      .sample()
      .every((c) => c >= 0 && c < OPS.length),
  );
});

test('BatchNorm recalibration changes the statistics and not the weights', () => {
  const net = tinyNet();
  const [x, y] = data(32, 2);
  const path = [3, 2, 1, 4, 3, 2];
  const before = values(net);
  const one = recalibrate(net, path, x, [[0, 1, 2, 3, 4, 5, 6, 7]]);
  const two = recalibrate(net, path, tf.mul(x, 3), [
    [0, 1, 2, 3, 4, 5, 6, 7],
    [8, 9, 10, 11, 12, 13, 14, 15],
  ]);
  // stem, conv1x1 / conv3x3 ReLU-Conv-BN on 4 edges, and the head's BN
  assert.ok(one.size >= 4, `BN slots: ${one.size}`);
  assert.is(one.size, two.size);
  const v1 = one.values();
  const v2 = two.values();
  assert.ok(v1.some((s, i) => s.variance.some((v, j) => Math.abs(v - v2[i].variance[j]) > 1e-3)));
  // scored with the recalibrated statistics, not the batch's
  const a = scorePathLoss(net, path, x, y, 0, one).accuracy;
  assert.ok(a >= 0 && a <= 1);
  const after = values(net);
  for (const [k, v] of before) assert.equal(Array.from(after.get(k)!), Array.from(v), `${k} changed`);
  one.dispose();
  two.dispose();
  net.dispose();
  tf.dispose([x, y]);
});

function tinyJob(method: 'enas' | 'spos', options: JsonObject = {}): SupernetJob {
  return {
    type: 'supernet',
    trial: 1,
    attempt: 1,
    seed: 3,
    request: {
      id: method,
      method,
      options: {
        epochs: 2,
        warmup: 1,
        max_steps: 3,
        batch_size: 16,
        controller_steps: 2,
        controller_samples: 2,
        sample: 6,
        generations: 2,
        population: 4,
        recalibration_batches: 2,
        score_examples: 64,
        candidates: 2,
        rank_check: 2,
        skeleton: { channels: 4, cells: 1, stages: 1 },
        ...options,
      },
    },
    space: { kind: 'cell', preset: 'nb201', nodes: 4, ops: OPS },
    dataset: { source: 'builtin:digits', label: 'label', split: { validation: 0.2 } },
    dataSeed: 1,
    backend: 'auto',
    evalBatchSize: 256,
  };
}

test('enas and spos supernet jobs: top cells with shared-weight scores, rank-check cells, no leaked tensors', async () => {
  await runSupernetJob(tinyJob('spos'), 'wasm', { cancelled: () => false }); // warms the data cache
  const before = tf.memory().numTensors;
  for (const method of ['enas', 'spos'] as const) {
    const epochs: number[] = [];
    const r = await runSupernetJob(tinyJob(method), 'wasm', {
      cancelled: () => false,
      onEpoch: (e) => epochs.push(e),
      policy: controllerPolicy,
    });
    assert.equal(epochs, [1, 2]);
    assert.is(r.derived.length, 2);
    for (const a of r.derived) nb201.validate(a);
    assert.is(r.wsScores!.length, 2);
    assert.ok(r.wsScores![0] >= r.wsScores![1], 'best first');
    assert.is(r.check!.length, 2);
    const keys = [...r.derived, ...r.check!.map((c) => c.arch)].map((a) => JSON.stringify(a));
    assert.is(new Set(keys).size, 4, 'rank-check cells differ from the top cells');
    assert.ok(r.metrics.supernet_scored >= 4);
  }
  assert.is(tf.memory().numTensors, before, 'tensors leaked by a one-shot search');
  // enas needs the controller from the evaluation layer
  let refused = false;
  try {
    await runSupernetJob(tinyJob('enas'), 'wasm', { cancelled: () => false });
  } catch (e) {
    refused = /controller/.test(String(e));
  }
  assert.ok(refused, 'an enas job without a controller is refused');
});

test('enas weight_paths: the controller picks the weight phase’s paths after the warm-up, unless uniform', async () => {
  // the real controller, counted: epochs 2, warmup 1, max_steps 3 -> epoch 2's weight phase draws 3
  // paths; the controller phase draws controller_steps x controller_samples = 4 per epoch from
  // epoch 1 (the warm-up's last), and the final ranking `sample` = 6
  const calls: Record<string, number> = {};
  for (const weightPaths of ['controller', 'uniform'] as const) {
    calls[weightPaths] = 0;
    await runSupernetJob(tinyJob('enas', { weight_paths: weightPaths }), 'wasm', {
      cancelled: () => false,
      policy: (columns, seed, o) => {
        const inner = controllerPolicy(columns, seed, o);
        return {
          sample: () => {
            calls[weightPaths]++;
            return inner.sample();
          },
          update: (batch) => inner.update(batch),
          logProb: (path) => inner.logProb(path),
        };
      },
    });
  }
  assert.is(calls.uniform, 2 * 4 + 6);
  assert.is(calls.controller, 3 + 2 * 4 + 6);
});

test('chain spaces: enas and spos search the chain supernet’s slots; derived and rank-check chains belong to the space', async () => {
  const space = {
    kind: 'chain' as const,
    input: [8, 8, 1],
    layers: {
      min: 1,
      max: 3,
      choose: {
        conv2d: { filters: [4, 8], kernel: [3] },
        max_pool: { size: [2] },
        batch_norm: {},
      },
    },
    hyper: { learning_rate: [0.003, 0.001] },
  };
  const s = createSpace(space);
  for (const method of ['enas', 'spos'] as const) {
    const r = await runSupernetJob({ ...tinyJob(method), space }, 'wasm', {
      cancelled: () => false,
      policy: controllerPolicy,
    });
    assert.ok(r.derived.length >= 1);
    for (const a of [...r.derived, ...r.check!.map((c) => c.arch)]) s.validate(a);
    assert.ok(r.columns[1].includes('identity'));
  }
});

test('strategies: supernet request, derived and rank-check proposals with ws_score, snapshot/restore mid-run', () => {
  const derived = [
    { ops: ['nor_conv_3x3', 'nor_conv_3x3', 'nor_conv_3x3', 'skip_connect', 'nor_conv_3x3', 'nor_conv_3x3'] },
    { ops: ['nor_conv_3x3', 'nor_conv_1x1', 'nor_conv_3x3', 'skip_connect', 'nor_conv_3x3', 'nor_conv_3x3'] },
  ];
  const check = [{ arch: { ops: ['none', 'none', 'skip_connect', 'none', 'none', 'nor_conv_1x1'] }, score: 0.3 }];
  for (const def of [enas, spos]) {
    const ctx = { space: nb201, seed: 1, objective: OBJ, capabilities: { supernet: true } };
    const s = def.create({ candidates: 2, rank_check: 1 }, ctx);
    const a = s.ask();
    assert.ok('supernet' in a && a.supernet.id === def.type && a.supernet.method === def.type);
    assert.ok('wait' in s.ask());
    const record: TrialRecord = {
      number: 1,
      key: supernetKey(def.type),
      arch: { supernet: {} },
      state: 'complete',
      metrics: {},
      seed: 0,
      attempts: 1,
      startedAt: 0,
      info: { job: 'supernet', derived, ws_scores: [0.9, 0.8], rank_check: check },
    };
    s.tell(record);
    const first = s.ask();
    const snap = JSON.parse(JSON.stringify(s.snapshot()));
    const r = def.create({}, ctx);
    r.restore(snap);
    for (const st of [s, r]) {
      const p2 = st.ask();
      const p3 = st.ask();
      assert.ok('arch' in first && 'arch' in p2 && 'arch' in p3);
      assert.equal([first.arch, p2.arch, p3.arch], [...derived, check[0].arch]);
      assert.equal(first.info, { origin: `${def.type}-derived`, rank: 1, ws_score: 0.9 });
      assert.equal(p3.info, { origin: 'rank-check', rank: 1, ws_score: 0.3 });
      assert.ok('done' in st.ask());
    }
  }
});

test.run();
