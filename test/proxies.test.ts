// Zero-cost proxies on a tiny network with known weights, against values computed by hand (plain
// arithmetic below, no tfjs): synflow, grad_norm, naswot, jacob_cov; and the linear algebra under them.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import {
  gradNorm,
  inputJacobians,
  jacobCov,
  naswot,
  naswotFromCodes,
  reluCodes,
  synflow,
} from '../engine/evaluation/proxies/proxies.js';
import { corrcoef, logAbsDet, symmetricEigenvalues } from '../engine/evaluation/proxies/linalg.js';
import { join } from 'node:path';
import { loadWorkflow } from '../engine/workflow/index.js';
import { Store } from '../engine/store/store.js';
import { startRun } from '../engine/search/run.js';
import { buildModel } from '../engine/training/model/index.js';
import { computeProxies, PROXIES } from '../engine/evaluation/proxies/index.js';
import { FIXTURES } from './helpers/paths.js';

// input 2 -> dense 3 relu -> dense 2 softmax
const W1 = [
  [0.5, -1.0, 0.25],
  [-0.5, 0.75, 1.0],
];
const B1 = [0.1, -0.2, 0.05];
const W2 = [
  [1.0, -0.5],
  [-0.25, 0.5],
  [0.75, 1.5],
];
const B2 = [0.2, -0.1];

function tiny(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [2], units: 3, activation: 'relu' }));
  m.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
  m.setWeights([tf.tensor2d(W1), tf.tensor1d(B1), tf.tensor2d(W2), tf.tensor1d(B2)]);
  return m;
}

const X = [
  [1.0, 0.5],
  [-0.5, 1.0],
  [0.3, -0.8],
];
const Y = [0, 1, 1];

const close = (a: number, b: number, tol = 1e-4) =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

function hidden(x: number[], w1 = W1, b1 = B1) {
  const a = [0, 1, 2].map((i) => x[0] * w1[0][i] + x[1] * w1[1][i] + b1[i]);
  return { a, h: a.map((v) => Math.max(0, v)) };
}

test('synflow = sum |w * dR/dw| with |weights| and an all-ones input', () => {
  const abs = (m: number[][]) => m.map((r) => r.map(Math.abs));
  const w1 = abs(W1);
  const b1 = B1.map(Math.abs);
  const w2 = abs(W2);
  const x = [1, 1];
  const { h } = hidden(x, w1, b1); // all positive: every unit active
  const dh = [0, 1, 2].map((i) => w2[i][0] + w2[i][1]); // dR/dh_i, R = z0 + z1
  let s = 0;
  for (let i = 0; i < 3; i++) for (let j = 0; j < 2; j++) s += w2[i][j] * h[i]; // dR/dW2[i][j] = h_i
  s += 2 * 0 + Math.abs(B2[0]) + Math.abs(B2[1]); // dR/db2 = 1
  for (let k = 0; k < 2; k++) for (let i = 0; i < 3; i++) s += w1[k][i] * x[k] * dh[i];
  for (let i = 0; i < 3; i++) s += b1[i] * dh[i];
  const m = tiny();
  close(synflow(m, [2]), s);
  // weights are restored
  close((m.getWeights()[0].arraySync() as number[][])[0][1], W1[0][1]);
});

test('grad_norm = sum of L2 norms of the cross-entropy gradients (mean over the batch)', () => {
  const n = X.length;
  const gW2 = W2.map((r) => r.map(() => 0));
  const gB2 = [0, 0];
  const gW1 = W1.map((r) => r.map(() => 0));
  const gB1 = [0, 0, 0];
  X.forEach((x, s) => {
    const { a, h } = hidden(x);
    const z = [0, 1].map((j) => h.reduce((t, hi, i) => t + hi * W2[i][j], B2[j]));
    const mz = Math.max(...z);
    const e = z.map((v) => Math.exp(v - mz));
    const p = e.map((v) => v / (e[0] + e[1]));
    const dz = p.map((pj, j) => (pj - (Y[s] === j ? 1 : 0)) / n);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 2; j++) gW2[i][j] += h[i] * dz[j];
    for (let j = 0; j < 2; j++) gB2[j] += dz[j];
    const dh = [0, 1, 2].map((i) => (a[i] > 0 ? W2[i][0] * dz[0] + W2[i][1] * dz[1] : 0));
    for (let k = 0; k < 2; k++) for (let i = 0; i < 3; i++) gW1[k][i] += x[k] * dh[i];
    for (let i = 0; i < 3; i++) gB1[i] += dh[i];
  });
  const norm = (v: number[]) => Math.sqrt(v.reduce((t, x) => t + x * x, 0));
  const expected = norm(gW1.flat()) + norm(gB1) + norm(gW2.flat()) + norm(gB2);
  const y = tf.oneHot(tf.tensor1d(Y, 'int32'), 2);
  close(gradNorm(tiny(), tf.tensor2d(X), y), expected);
});

test('naswot = log|det K| of the ReLU-code agreement kernel', () => {
  const codes = X.map((x) => hidden(x).a.map((v) => (v > 0 ? 1 : 0)));
  const m = tiny();
  assert.equal(reluCodes(m, tf.tensor2d(X)), codes);
  const K = codes.map((ci) => codes.map((cj) => ci.filter((v, k) => v === cj[k]).length));
  const det3 = (A: number[][]) =>
    A[0][0] * (A[1][1] * A[2][2] - A[1][2] * A[2][1]) -
    A[0][1] * (A[1][0] * A[2][2] - A[1][2] * A[2][0]) +
    A[0][2] * (A[1][0] * A[2][1] - A[1][1] * A[2][0]);
  const d = det3(K);
  assert.ok(d !== 0, `codes ${JSON.stringify(codes)} give a singular kernel`);
  close(naswot(m, tf.tensor2d(X)), Math.log(Math.abs(d)));
  close(
    naswotFromCodes([
      [1, 0],
      [0, 1],
    ]),
    Math.log(4 - 0),
  ); // K = [[2,0],[0,2]]
  assert.is(
    naswotFromCodes([
      [1, 1],
      [1, 1],
    ]),
    -Infinity,
  );
});

test('jacob_cov from the input Jacobians: -sum log(v+k) + 1/(v+k) = -(log det(C+kI) + trace((C+kI)^-1))', () => {
  const k = 1e-5;
  const J = X.map((x) => {
    const { a } = hidden(x);
    const dh = [0, 1, 2].map((i) => (a[i] > 0 ? W2[i][0] + W2[i][1] : 0));
    return [0, 1].map((r) => W1[r].reduce((t, w, i) => t + w * dh[i], 0));
  });
  const m = tiny();
  const got = inputJacobians(m, tf.tensor2d(X));
  got.forEach((row, i) => row.forEach((v, j) => close(v, J[i][j])));
  // correlation of rows, then C + kI; log det and trace of the inverse by Cramer's rule (no eigenvalues)
  const C = J.map((ri) =>
    J.map((rj) => {
      const mi = (ri[0] + ri[1]) / 2;
      const mj = (rj[0] + rj[1]) / 2;
      const a = [ri[0] - mi, ri[1] - mi];
      const b = [rj[0] - mj, rj[1] - mj];
      const na = Math.hypot(...a);
      const nb = Math.hypot(...b);
      return (a[0] * b[0] + a[1] * b[1]) / (na * nb);
    }),
  );
  const A = C.map((r, i) => r.map((v, j) => v + (i === j ? k : 0)));
  const det =
    A[0][0] * (A[1][1] * A[2][2] - A[1][2] * A[2][1]) -
    A[0][1] * (A[1][0] * A[2][2] - A[1][2] * A[2][0]) +
    A[0][2] * (A[1][0] * A[2][1] - A[1][1] * A[2][0]);
  const cof = (i: number) => {
    const r = [0, 1, 2].filter((x) => x !== i);
    return A[r[0]][r[0]] * A[r[1]][r[1]] - A[r[0]][r[1]] * A[r[1]][r[0]];
  };
  const trInv = (cof(0) + cof(1) + cof(2)) / det;
  close(jacobCov(m, tf.tensor2d(X)), -(Math.log(Math.abs(det)) + trInv), 1e-3);
});

test('linear algebra: eigenvalues, log det and correlation against known values', () => {
  const A = [
    [4, 1, 0],
    [1, 3, 1],
    [0, 1, 2],
  ];
  const ev = symmetricEigenvalues(A);
  // eigenvalues 3 - sqrt(3), 3, 3 + sqrt(3): trace 9, det 18
  close(
    ev.reduce((a, b) => a + b, 0),
    9,
    1e-9,
  );
  close(
    ev.reduce((a, b) => a * b, 1),
    18,
    1e-9,
  );
  close(ev[1], 3, 1e-9);
  close(ev[0], 3 - Math.sqrt(3), 1e-9);
  close(logAbsDet(A), Math.log(18), 1e-12);
  assert.is(
    logAbsDet([
      [1, 2],
      [2, 4],
    ]),
    -Infinity,
  );
  const C = corrcoef([
    [1, 2, 3],
    [2, 4, 6],
    [3, 2, 1],
  ]);
  close(C[0][1], 1, 1e-12);
  close(C[0][2], -1, 1e-12);
});

test('the proxy evaluator scores chain candidates on digits through the engine (no training)', async () => {
  const wf = loadWorkflow(join(FIXTURES, 'meta', 'digits-proxy.yaml'));
  const store = Store.open(':memory:');
  const s = await startRun(store, wf);
  assert.is(s.status, 'complete', s.reason);
  const trials = store.trials(s.run, '');
  assert.is(trials.length, 6);
  for (const t of trials) {
    assert.is(t.state, 'complete', t.error);
    for (const p of PROXIES) assert.ok(Number.isFinite(t.metrics[p]), `${p} ${t.metrics[p]}`);
    assert.ok(t.metrics.synflow > 0 && t.metrics.grad_norm > 0);
  }
  store.close();
});

test('proxies on an NB201 cell network are finite, and deterministic for a seed', () => {
  const spec = {
    space: 'cell' as const,
    arch: { ops: ['nor_conv_3x3', 'skip_connect', 'nor_conv_1x1', 'avg_pool_3x3', 'none', 'nor_conv_3x3'] },
    nodes: 4,
    inputShape: [8, 8, 1],
    classes: 3,
    skeleton: { channels: 4, cells: 1, stages: 2 },
    seed: 5,
  };
  const x = tf.randomUniform([8, 8, 8, 1], -1, 1, 'float32', 1);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3);
  const a = computeProxies(buildModel(spec), PROXIES, { x, y, inputShape: [8, 8, 1] });
  const b = computeProxies(buildModel(spec), PROXIES, { x, y, inputShape: [8, 8, 1] });
  for (const p of PROXIES) assert.ok(Number.isFinite(a[p]), `${p} ${a[p]}`);
  assert.equal(a, b);
});

test.run();
