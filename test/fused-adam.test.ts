// FusedAdamOptimizer (one native kernel per variable on wasm) takes the same steps as tfjs's Adam:
// same weights and same optimizer state after several steps, on wasm and (where it is tfjs's own
// code) on cpu, and it still serialises as 'Adam'.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../engine/training/backend.js';
import { FusedAdamOptimizer, fusedAdam } from '../engine/training/model/fused-adam.js';
import { lcg } from './helpers/random.js';

/** Weights and optimizer state after `steps` steps of a small dense model (41 weights: the SIMD loop and its tail). */
async function train(
  backend: 'cpu' | 'wasm',
  optimizer: tf.Optimizer,
  steps: number,
): Promise<{ weights: Float32Array[]; state: Float32Array[] }> {
  await initBackend(backend);
  const rand = lcg(11, -0.5);
  const model = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [6], units: 5, activation: 'relu' }), tf.layers.dense({ units: 3 })],
  });
  const init = model.getWeights().map((w) => tf.tensor(Float32Array.from({ length: w.size }, rand), w.shape));
  model.setWeights(init);
  tf.dispose(init);
  model.compile({ optimizer, loss: 'meanSquaredError' });
  for (let i = 0; i < steps; i++) {
    const x = tf.tensor2d(Float32Array.from({ length: 8 * 6 }, rand), [8, 6]);
    const y = tf.tensor2d(Float32Array.from({ length: 8 * 3 }, rand), [8, 3]);
    await model.trainOnBatch(x, y);
    tf.dispose([x, y]);
  }
  const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
  const saved = await optimizer.getWeights();
  const state = saved.map((w) => w.tensor.dataSync() as Float32Array);
  saved[0].tensor.dispose(); // the iteration count, made for the call
  optimizer.dispose();
  model.dispose();
  return { weights, state };
}

function maxDiff(a: Float32Array[], b: Float32Array[]): number {
  assert.is(a.length, b.length);
  let m = 0;
  a.forEach((x, i) => x.forEach((v, j) => (m = Math.max(m, Math.abs(v - b[i][j])))));
  return m;
}

test('fused Adam on wasm takes the steps of tfjs Adam on cpu and on wasm', async () => {
  const ref = await train('cpu', tf.train.adam(0.01), 6);
  const plainWasm = await train('wasm', tf.train.adam(0.01), 6);
  const before = tf.memory().numTensors;
  const fused = await train('wasm', fusedAdam(0.01), 6);
  assert.is(tf.memory().numTensors, before, 'no tensor leaks');
  assert.ok(
    maxDiff(fused.weights, ref.weights) < 1e-5,
    `weights differ from cpu Adam by ${maxDiff(fused.weights, ref.weights)}`,
  );
  assert.ok(maxDiff(fused.weights, plainWasm.weights) < 1e-5);
  assert.ok(maxDiff(fused.state, ref.state) < 1e-5, 'same moments and iteration count');
  assert.ok(
    maxDiff(fused.weights, await train('wasm', fusedAdam(0.01), 0).then((r) => r.weights)) > 1e-3,
    'the weights moved',
  );
});

test('fused Adam is tfjs Adam on cpu, and serialises as Adam', async () => {
  const a = await train('cpu', fusedAdam(0.01), 3);
  const b = await train('cpu', tf.train.adam(0.01), 3);
  assert.is(maxDiff(a.weights, b.weights), 0);
  const opt = new FusedAdamOptimizer(0.01, 0.9, 0.999);
  assert.is(opt.getClassName(), 'Adam');
  assert.is(opt.getConfig().learningRate, 0.01);
  opt.dispose();
});

test('fused Adam on wasm writes the moments over the old ones when nothing else holds them, never the weights', async () => {
  await initBackend('wasm');
  const rand = lcg(5, -0.5);
  const w = tf.variable(tf.tensor1d(Float32Array.from({ length: 11 }, rand)));
  const g = tf.tensor1d(Float32Array.from({ length: 11 }, rand));
  const opt = fusedAdam(0.1);
  const step = () => opt.applyGradients([{ name: w.name, tensor: g }]);
  step(); // makes the moments
  const moments = async () => {
    const saved = await opt.getWeights(); // [iterations, m, v]: the moment variables themselves
    saved[0].tensor.dispose();
    return saved.slice(1).map((s) => s.tensor);
  };
  const [m, v] = await moments();
  const before = tf.memory().numTensors;
  let ids = [w.dataId, m.dataId, v.dataId];
  step();
  assert.equal(
    [w.dataId === ids[0], m.dataId === ids[1], v.dataId === ids[2]],
    [false, true, true],
    'the moments in place, new weights',
  );
  assert.is(tf.memory().numTensors, before);

  const held = m.clone(); // shares m's data (zero-copy Identity)
  const kept = held.dataSync().slice();
  ids = [m.dataId, v.dataId];
  step();
  assert.equal([m.dataId === ids[0], v.dataId === ids[1]], [false, false], 'm shared: both moments to new data');
  assert.equal(held.dataSync(), kept, 'the clone keeps the old moment');
  held.dispose();

  ids = [m.dataId, v.dataId];
  tf.grad((x: tf.Tensor) => {
    step();
    return x.square();
  })(tf.scalar(1)).dispose();
  assert.equal([m.dataId === ids[0], v.dataId === ids[1]], [false, false], 'under a gradient tape: new data');
  tf.dispose([w, g]);
  opt.dispose();
});

test.run();
