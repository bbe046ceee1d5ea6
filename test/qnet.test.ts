// q-learning with a Q-network (q_function: network, DQN): the MLP's step moves Q(s, a) towards the
// seed's target, the target network changes only every T updates, the (prefix, action) encoding,
// learning on a toy reward, and snapshot/restore mid-run.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Arch } from '../engine/core/types.js';
import { Rng } from '../engine/core/rng.js';
import { createSpace } from '../engine/space/index.js';
import { QLearningStrategy, qLearning } from '../strategies/q-learning.js';
import { PairEncoder, QNetwork } from '../strategies/lib/qnet.js';
import { drive } from './helpers/drive.js';

const OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'];
const nb201 = createSpace({ kind: 'cell', preset: 'nb201', nodes: 4, ops: OPS });
const objective = { metric: 'accuracy', mode: 'max' as const };

test('Q-network: Adam steps move Q(x) towards the target; the target network refreshes every T updates', () => {
  const net = new QNetwork(6, 8, 0.05, 5, new Rng(3));
  const x = Float64Array.from([1, 0, 0, 1, 0, 0]);
  const t0 = net.qTarget(x);
  const start = Math.abs(net.q(x) - 2);
  for (let k = 0; k < 4; k++) net.train([{ x, y: 2 }]);
  assert.is(net.qTarget(x), t0, 'the target network is frozen between refreshes');
  assert.ok(Math.abs(net.q(x) - 2) < start, 'the online network moved towards the target');
  net.train([{ x, y: 2 }]);
  assert.is(net.qTarget(x), net.q(x), 'refreshed at the 5th update');
  for (let k = 0; k < 200; k++) net.train([{ x, y: 2 }]);
  assert.ok(Math.abs(net.q(x) - 2) < 0.05, `converged: ${net.q(x)}`);
});

test('pair encoding: one-hot prefix choices per decision and the action in its decision’s slot', () => {
  const enc = new PairEncoder(nb201);
  assert.is(enc.size, 2 * 6 * 5);
  const names = nb201.decisions().map((d) => d.name);
  const x = enc.encode([2, 4], names, 1);
  assert.equal(
    [...x.keys()].filter((i) => x[i] === 1),
    [2, 5 + 4, 30 + 10 + 1],
  );
});

test('q_function network: learns a toy reward better than its first proposals; snapshot/restore continues identically', () => {
  // reward: the number of conv3x3 edges
  const ev = (arch: Arch) => ({ accuracy: (arch as { ops: string[] }).ops.filter((o) => o === 'nor_conv_3x3').length });
  const options = {
    q_function: 'network' as const,
    hidden: 16,
    replay: 20,
    epsilon: [{ trials: 20, epsilon: 1 }, { epsilon: 0.1 }],
  };
  const make = () => qLearning.create(options, { space: nb201, seed: 4, objective }) as QLearningStrategy;
  const s1 = make();
  const history = drive(s1, nb201, ev, { budget: 60, seed: 1 });
  const first = history.slice(0, 20).map((t) => t.metrics.accuracy);
  const last = history.slice(40).map((t) => t.metrics.accuracy);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(mean(last) > mean(first) + 1, `greedy proposals ${mean(last)} vs random ${mean(first)}`);
  // Q(empty prefix, conv3x3) is the largest first-edge value
  const q0 = OPS.map((_, a) => s1.qValue([], a));
  assert.is(q0.indexOf(Math.max(...q0)), 3, `Q of the first edge: ${q0.join(', ')}`);
  const snap = JSON.parse(JSON.stringify(s1.snapshot()));
  const s2 = make();
  s2.restore(snap);
  const r1 = drive(s1, nb201, ev, { budget: 10, seed: 2, history });
  const r2 = drive(s2, nb201, ev, { budget: 10, seed: 2, history });
  assert.equal(r1, r2);
  // a table snapshot cannot restore a network
  const table = qLearning.create({ q_function: 'table' }, { space: nb201, seed: 4, objective });
  assert.throws(() => s2.restore(table.snapshot()), /Q-network/);
});

test.run();
