// Q-learning and REINFORCE: the Q-learning update against hand-computed values, the epsilon schedule,
// exact controller gradients (finite differences), snapshot/restore with the LSTM controller, and a
// short search on the NAS-Bench-201 table that must beat random search.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Arch, JsonObject, TrialRecord } from '../engine/core/types.js';
import { Rng } from '../engine/core/rng.js';
import { createSpace } from '../engine/space/index.js';
import type { SearchSpace } from '../engine/core/space.js';
import { QLearningStrategy, epsilonAt, qLearning, qUpdate } from '../strategies/q-learning.js';
import { ReinforceStrategy, reinforce } from '../strategies/reinforce.js';
import { random } from '../strategies/random.js';
import { LogitsController, LstmController, type Controller } from '../strategies/lib/controllers.js';
import type { StrategyDefinition } from '../engine/core/strategy.js';
import { drive, bestOf } from './helpers/drive.js';
import { loadTable } from './helpers/nb201.js';

const OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'];
const nb201 = createSpace({ kind: 'cell', preset: 'nb201', nodes: 4, ops: OPS });
const tiny = createSpace({ kind: 'cell', nodes: 3, ops: ['a', 'b'] });
const chain = createSpace({
  kind: 'chain',
  input: [8, 8, 1],
  layers: {
    min: 1,
    max: 3,
    choose: { conv2d: { filters: [8, 16], kernel: [3] }, max_pool: {}, dense: { units: [16, 32] } },
  },
  hyper: { learning_rate: [0.001, 0.01] },
});
const objective = { metric: 'accuracy', mode: 'max' as const };

function record(space: SearchSpace, arch: Arch, accuracy: number, number = 1): TrialRecord {
  return {
    number,
    key: space.key(arch),
    arch,
    state: 'complete',
    metrics: { accuracy },
    seed: 0,
    attempts: 1,
    startedAt: 0,
  };
}

test("qUpdate is Q + alpha (r + gamma max Q' - Q)", () => {
  assert.ok(Math.abs(qUpdate(0.2, 0.1, 0.9, 1, 0.5) - 0.325) < 1e-12);
  assert.ok(Math.abs(qUpdate(0.4, 0.5, 0.9, 0.8, 0) - 0.6) < 1e-12);
});

test('q-learning: one update along a trajectory matches the hand-computed values', () => {
  const s = new QLearningStrategy(
    {
      q_function: 'table',
      alpha: 0.5,
      gamma: 0.9,
      replay: 0,
      reward: 'raw',
      q_init: 0,
      backoff: 'none',
      epsilon: [{ epsilon: 1 }],
    },
    { space: tiny, seed: 1, objective },
  );
  const a = s.ask();
  assert.ok('arch' in a);
  const arch = (a as { arch: Arch }).arch;
  const c = tiny.choicesOf(arch);
  assert.is(c.length, 3);
  const rec = record(tiny, arch, 0.8);
  s.tell(rec);
  // backwards: Q(s2,c2) = 0 + 0.5 (0.8 - 0) = 0.4
  //            Q(s1,c1) = 0 + 0.5 (0 + 0.9 * max(0.4, 0) - 0) = 0.18
  //            Q(s0,c0) = 0 + 0.5 (0 + 0.9 * 0.18 - 0) = 0.081
  const close = (x: number, y: number) => assert.ok(Math.abs(x - y) < 1e-12, `${x} != ${y}`);
  close(s.qValue(c.slice(0, 2), c[2]), 0.4);
  close(s.qValue(c.slice(0, 1), c[1]), 0.18);
  close(s.qValue([], c[0]), 0.081);
  close(s.qValue([], 1 - c[0]), 0); // untouched
  // the same result again (a duplicate proposal told its earlier record):
  //   0.4 + 0.5 (0.8 - 0.4) = 0.6;  0.18 + 0.5 (0.9 * 0.6 - 0.18) = 0.36;  0.081 + 0.5 (0.9 * 0.36 - 0.081) = 0.2025
  s.tell(rec);
  close(s.qValue(c.slice(0, 2), c[2]), 0.6);
  close(s.qValue(c.slice(0, 1), c[1]), 0.36);
  close(s.qValue([], c[0]), 0.2025);
  // and the Q-table is in the snapshot
  const snap = s.snapshot() as JsonObject;
  const q = new Map(snap.q as [string, number][]);
  assert.ok([...q.values()].some((v) => Math.abs(v - 0.2025) < 1e-12));
});

test('epsilon schedule steps down and stays at its last value', () => {
  const sched = [{ trials: 2, epsilon: 1 }, { trials: 3, epsilon: 0.5 }, { epsilon: 0.1 }];
  assert.equal(
    [0, 1, 2, 4, 5, 100].map((n) => epsilonAt(sched, n)),
    [1, 1, 0.5, 0.5, 0.1, 0.1],
  );
});

/** f(params) = adv * log pi(choices) + beta * sum of entropies along choices. */
function objectiveOf(ctrl: Controller, choices: number[], adv: number, beta: number): number {
  const ps = ctrl.probabilities(choices);
  let logp = 0;
  let H = 0;
  ps.forEach((p, t) => {
    logp += Math.log(p[choices[t]]);
    for (const q of p) if (q > 0) H -= q * Math.log(q);
  });
  return adv * logp + beta * H;
}

function gradCheck(ctrl: Controller, choices: number[], label: string) {
  const adv = 0.7,
    beta = 0.05;
  const grad = new Float64Array(ctrl.params.length);
  ctrl.accumulate(choices, adv, beta, grad);
  const rng = new Rng(4);
  let checked = 0;
  for (let t = 0; t < 60; t++) {
    const k = rng.int(ctrl.params.length);
    const old = ctrl.params[k];
    const h = 1e-5;
    ctrl.params[k] = old + h;
    const fp = objectiveOf(ctrl, choices, adv, beta);
    ctrl.params[k] = old - h;
    const fm = objectiveOf(ctrl, choices, adv, beta);
    ctrl.params[k] = old;
    const num = (fp - fm) / (2 * h);
    assert.ok(
      Math.abs(num - grad[k]) < 1e-6 + 1e-4 * Math.abs(num),
      `${label} param ${k}: numeric ${num} vs exact ${grad[k]}`,
    );
    checked++;
  }
  assert.is(checked, 60);
}

test('logits controller: exact gradient of adv log pi + beta H (finite differences)', () => {
  const ctrl = new LogitsController(nb201);
  const rng = new Rng(2);
  for (let k = 0; k < ctrl.params.length; k++) ctrl.params[k] = rng.normal();
  gradCheck(ctrl, ctrl.sample(rng), 'logits');
});

test('LSTM controller: exact gradient through time (finite differences), nb201 and chain', () => {
  for (const [label, space] of [
    ['nb201', nb201],
    ['chain', chain],
  ] as const) {
    const ctrl = new LstmController(space, new Rng(3), 6, 4);
    const rng = new Rng(5);
    for (let k = 0; k < ctrl.params.length; k++) ctrl.params[k] = rng.normal() * 0.5;
    for (let i = 0; i < 3; i++) gradCheck(ctrl, ctrl.sample(rng), `lstm ${label}`);
  }
});

test('reinforce: an update moves probability towards a rewarded architecture', () => {
  const s = new ReinforceStrategy({ batch: 1, learning_rate: 0.1, entropy: 0 }, { space: nb201, seed: 3, objective });
  const scores = [0.2, 0.9];
  const asked: Arch[] = [];
  for (let i = 0; i < 2; i++) {
    const a = s.ask();
    asked.push((a as { arch: Arch }).arch);
  }
  s.tell(record(nb201, asked[0], scores[0], 1));
  const good = nb201.choicesOf(asked[1]);
  const before = s.probabilities(good).reduce((a, p, t) => a + Math.log(p[good[t]]), 0);
  s.tell(record(nb201, asked[1], scores[1], 2));
  const after = s.probabilities(good).reduce((a, p, t) => a + Math.log(p[good[t]]), 0);
  assert.ok(after > before, `${after} <= ${before}`);
});

test('reinforce with the LSTM controller: snapshot/restore continues identically', () => {
  const ev = (arch: Arch) => ({
    accuracy: (nb201.encode(arch).reduce((a, v, i) => a + v * ((i * 7) % 5), 0) % 11) / 10,
  });
  const make = () =>
    reinforce.create({ controller: 'lstm', hidden: 8, embedding: 4, batch: 2 }, { space: nb201, seed: 9, objective });
  const s1 = make();
  const history = drive(s1, nb201, ev, { budget: 10, parallel: 2, seed: 1 });
  const snap = JSON.parse(JSON.stringify(s1.snapshot()));
  const s2 = make();
  s2.restore(snap);
  const r1 = drive(s1, nb201, ev, { budget: 10, parallel: 2, seed: 2, history });
  const r2 = drive(s2, nb201, ev, { budget: 10, parallel: 2, seed: 2, history });
  assert.equal(r1, r2);
  assert.equal(JSON.parse(JSON.stringify(s1.snapshot())), JSON.parse(JSON.stringify(s2.snapshot())));
});

test('warm start: archs are proposed first, priors shape the first logits', () => {
  const arch = nb201.decode([3, 3, 3, 1, 3, 3]);
  for (const def of [qLearning, reinforce] as StrategyDefinition<JsonObject>[]) {
    const s = def.create({}, { space: nb201, seed: 1, objective, warmStart: { archs: [arch] } });
    const a = s.ask();
    assert.is(nb201.key((a as { arch: Arch }).arch), nb201.key(arch), def.type);
  }
  const priors = { 'edge.1<-0': [0, 0, 0, 1, 0] };
  const s = new ReinforceStrategy({}, { space: nb201, seed: 1, objective, warmStart: { priors } });
  assert.ok(s.probabilities([3, 0, 0, 0, 0, 0])[0][3] > 0.9);
});

// a short search on the real table: better than random on the same seeds (deterministic)
const table = loadTable('cifar10');
function searchBest(def: StrategyDefinition<JsonObject>, seed: number, budget: number): number {
  const s = def.create({}, { space: nb201, seed, objective: { metric: 'cifar10', mode: 'max' }, budgetTrials: budget });
  const recs = drive(s, nb201, (arch) => ({ cifar10: table.get(nb201.key(arch))! }), { budget, seed });
  assert.is(new Set(recs.map((r) => r.key)).size, recs.length);
  return bestOf(recs, 'cifar10');
}

test('q-learning and reinforce beat random search on NB201 CIFAR-10 (3 seeds, 120 queries)', () => {
  const mean = (def: StrategyDefinition<JsonObject>) =>
    [0, 1, 2].reduce((a, seed) => a + searchBest(def, seed, 120), 0) / 3;
  const r = mean(random as StrategyDefinition<JsonObject>);
  const q = mean(qLearning as StrategyDefinition<JsonObject>);
  const p = mean(reinforce as StrategyDefinition<JsonObject>);
  assert.ok(q > r, `q-learning ${q} <= random ${r}`);
  assert.ok(p > r, `reinforce ${p} <= random ${r}`);
  assert.ok(q > 94 && p > 94, `${q} ${p}`);
});

test.run();
