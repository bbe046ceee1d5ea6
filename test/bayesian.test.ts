// Bayesian optimisation: the Gaussian process (Cholesky, posterior, marginal likelihood), the normal
// CDF, acquisition over the whole space and over a mutation pool, warm start, and a short search on
// the NAS-Bench-201 table that must beat random search.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Arch, JsonObject } from '../engine/core/types.js';
import { createSpace } from '../engine/space/index.js';
import { BayesianStrategy, bayesian, normInv, transformScores } from '../strategies/bayesian.js';
import { random } from '../strategies/random.js';
import {
  GaussianProcess,
  backward,
  cholesky,
  distances,
  extendFactor,
  factorize,
  forward,
  normCdf,
  sparse,
} from '../strategies/lib/gp.js';
import type { StrategyDefinition } from '../engine/core/strategy.js';
import { bestOf, drive } from './helpers/drive.js';
import { loadTable } from './helpers/nb201.js';

const OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'];
const nb201 = createSpace({ kind: 'cell', preset: 'nb201', nodes: 4, ops: OPS });
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

test('cholesky and triangular solves', () => {
  const A = Float64Array.from([4, 2, 0.4, 2, 5, 1, 0.4, 1, 3]);
  const L = Float64Array.from(A);
  assert.ok(cholesky(L, 3));
  const b = Float64Array.from([1, 2, 3]);
  const x = backward(L, 3, forward(L, 3, b));
  for (let i = 0; i < 3; i++) {
    let s = 0;
    for (let j = 0; j < 3; j++) s += A[i * 3 + j] * x[j];
    assert.ok(Math.abs(s - b[i]) < 1e-12);
  }
  assert.not.ok(cholesky(Float64Array.from([1, 2, 2, 1]), 2));
});

test('appending a point to a factor equals factorising again', () => {
  const X = [
    [1, 0, 0, 1],
    [0, 1, 0, 1],
    [1, 1, 0, 0],
    [0, 0, 1, 1],
  ].map(sparse);
  const hyper = { lengthscale: 1.3, noise: 0.01 };
  const full = factorize(distances(X), 4, hyper)!;
  const part = factorize(distances(X.slice(0, 3)), 3, hyper)!;
  const D = distances(X);
  const k = Float64Array.from([0, 1, 2], (j) => Math.exp(-D[3 * 4 + j] / (2 * 1.3 * 1.3)));
  const ext = extendFactor(part, 3, k, hyper)!;
  for (let i = 0; i < 16; i++) assert.ok(Math.abs(ext[i] - full[i]) < 1e-12);
});

test('GP: interpolates its data with small noise, is uncertain far away, prefers the likely length scale', () => {
  const X = [
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
    [1, 1, 0, 0],
  ].map(sparse);
  const y = [1, 2, 3, 1.5];
  const gp = GaussianProcess.fit(X, y, { lengthscale: 1, noise: 1e-6 });
  X.forEach((x, i) => {
    const p = gp.predict(x);
    assert.ok(Math.abs(p.mu - y[i]) < 1e-3, `${p.mu} vs ${y[i]}`);
    assert.ok(p.sd < 1e-2);
  });
  const far = gp.predict(sparse([0, 0, 0, 5]));
  assert.ok(far.sd > 0.9 * gp.priorSd);
  const best = GaussianProcess.best(X, y, [0.5, 1, 2], [1e-3, 0.1]);
  assert.ok(Number.isFinite(best.logLik));
});

test('normal CDF', () => {
  assert.ok(Math.abs(normCdf(0) - 0.5) < 1e-7);
  assert.ok(Math.abs(normCdf(1.959964) - 0.975) < 1e-6);
  assert.ok(Math.abs(normCdf(-1) - 0.158655) < 1e-6);
});

test('score transforms keep the order; rank gives normal scores with shared ties', () => {
  assert.ok(Math.abs(normInv(0.975) - 1.959964) < 1e-6);
  assert.ok(Math.abs(normInv(0.01) + 2.326348) < 1e-6);
  const y = [10, 94, 93, 93, 50];
  for (const how of ['none', 'rank', 'log'] as const) {
    const t = transformScores(y, how);
    for (let i = 0; i < y.length; i++) for (let j = 0; j < y.length; j++) if (y[i] < y[j]) assert.ok(t[i] < t[j], how);
  }
  const r = transformScores(y, 'rank');
  assert.is(r[2], r[3]);
});

// a smooth landscape on the cell: how many conv3x3 edges, minus the 'none' edges
const smooth = (arch: Arch) => {
  const ops = (arch as { ops: string[] }).ops;
  return { accuracy: ops.filter((o) => o === 'nor_conv_3x3').length - 0.5 * ops.filter((o) => o === 'none').length };
};

test('bayesian finds the optimum of a smooth landscape quickly (whole space and mutation pool)', () => {
  for (const exhaustive of [20000, 0]) {
    const s = bayesian.create(
      { exhaustive },
      { space: nb201, seed: 1, objective: { metric: 'accuracy', mode: 'max' } },
    );
    const recs = drive(s, nb201, smooth, { budget: 40 });
    const i = recs.findIndex((r) => r.metrics.accuracy === 6);
    assert.ok(i >= 0 && i < 40, `exhaustive ${exhaustive}: optimum at ${i}`);
  }
});

test('bayesian works on a chain space (pool candidates) and with warm-start observations', () => {
  const score = (arch: Arch) => ({ accuracy: chain.encode(arch).reduce((a, v, i) => a + v * Math.sin(i), 0) });
  const s = bayesian.create({}, { space: chain, seed: 2, objective: { metric: 'accuracy', mode: 'max' } });
  const recs = drive(s, chain, score, { budget: 25, parallel: 2 });
  assert.is(new Set(recs.map((r) => r.key)).size, recs.length);
  // observations given up front replace the random start: the first proposal is an acquisition
  const rng = { seed: 3 };
  const obs = [];
  for (const arch of [...nb201.enumerate()].filter((_, i) => i % 997 === 0))
    obs.push({ arch, score: smooth(arch).accuracy });
  const w = new BayesianStrategy(
    { initial: 10 },
    { space: nb201, seed: rng.seed, objective: { metric: 'accuracy', mode: 'max' }, warmStart: { observations: obs } },
  );
  const a = w.ask() as { arch: Arch; info: JsonObject };
  assert.is(a.info.source, 'acquisition');
});

test('bayesian beats random search on NB201 CIFAR-10 (2 seeds, 60 queries)', () => {
  const table = loadTable('cifar10');
  const run = (def: StrategyDefinition<JsonObject>, seed: number) => {
    const s = def.create({}, { space: nb201, seed, objective: { metric: 'cifar10', mode: 'max' } });
    return bestOf(
      drive(s, nb201, (arch) => ({ cifar10: table.get(nb201.key(arch))! }), { budget: 60, seed }),
      'cifar10',
    );
  };
  const b =
    (run(bayesian as StrategyDefinition<JsonObject>, 0) + run(bayesian as StrategyDefinition<JsonObject>, 1)) / 2;
  const r = (run(random as StrategyDefinition<JsonObject>, 0) + run(random as StrategyDefinition<JsonObject>, 1)) / 2;
  assert.ok(b > r && b > 94, `bayesian ${b}, random ${r}`);
});

test.run();
