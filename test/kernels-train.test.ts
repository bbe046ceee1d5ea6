/**
 * A small model using every training kernel we add (conv2d, depthwise and separable conv,
 * maxpool, batchnorm, dense, embedding) trains on wasm along the same loss trajectory as
 * on the cpu backend, from the same initial weights and batches.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../engine/training/backend.js';
import { lcg } from './helpers/random.js';

const STEPS = 6;

function build(): tf.LayersModel {
  const image = tf.input({ shape: [12, 12, 2] });
  let h = tf.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' })
    .apply(image) as tf.SymbolicTensor;
  h = tf.layers
    .depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same' })
    .apply(h) as tf.SymbolicTensor;
  h = tf.layers.batchNormalization().apply(h) as tf.SymbolicTensor;
  h = tf.layers.maxPooling2d({ poolSize: 2 }).apply(h) as tf.SymbolicTensor;
  h = tf.layers
    .separableConv2d({ filters: 6, kernelSize: 3, padding: 'valid', activation: 'relu' })
    .apply(h) as tf.SymbolicTensor;
  h = tf.layers.flatten().apply(h) as tf.SymbolicTensor;
  const tokens = tf.input({ shape: [5] });
  let e = tf.layers.embedding({ inputDim: 20, outputDim: 3 }).apply(tokens) as tf.SymbolicTensor;
  e = tf.layers.flatten().apply(e) as tf.SymbolicTensor;
  const joined = tf.layers.concatenate().apply([h, e]) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, activation: 'softmax' }).apply(joined) as tf.SymbolicTensor;
  return tf.model({ inputs: [image, tokens], outputs: out });
}

async function trajectory(backend: 'cpu' | 'wasm', weights: Float32Array[], used?: Set<string>): Promise<number[]> {
  await initBackend(backend);
  const model = build();
  model.setWeights(weights.map((w, i) => tf.tensor(w, model.getWeights()[i].shape)));
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
  const rand = lcg(42);
  const losses: number[] = [];
  for (let step = 0; step < STEPS; step++) {
    const n = 8;
    const img = tf.tensor4d(
      Float32Array.from({ length: n * 12 * 12 * 2 }, () => rand() - 0.5),
      [n, 12, 12, 2],
    );
    const tok = tf.tensor2d(
      Float32Array.from({ length: n * 5 }, () => Math.floor(rand() * 20)),
      [n, 5],
    );
    const y = tf.oneHot(
      tf.tensor1d(
        Int32Array.from({ length: n }, () => Math.floor(rand() * 3)),
        'int32',
      ),
      3,
    );
    let loss = 0;
    const info = await tf.profile(async () => {
      loss = (await model.trainOnBatch([img, tok], y)) as number;
    });
    for (const k of info.kernels) used?.add(k.name);
    losses.push(loss);
    tf.dispose([img, tok, y]);
  }
  (model.optimizer as tf.Optimizer).dispose();
  model.dispose();
  return losses;
}

test('small CNN with embedding trains on wasm like on cpu', async () => {
  await initBackend('cpu');
  const init = build();
  const weights = init.getWeights().map((w) => w.dataSync() as Float32Array);
  init.dispose();
  const cpu = await trajectory('cpu', weights);
  const used = new Set<string>();
  const wasm = await trajectory('wasm', weights, used);
  for (const k of [
    'NasFusedConv2D',
    'Conv2DBackpropFilter',
    'Conv2DBackpropInput',
    'DepthwiseConv2dNativeBackpropFilter',
    'DepthwiseConv2dNativeBackpropInput',
    'UnsortedSegmentSum',
    'MaxPoolGrad',
  ]) {
    assert.ok(used.has(k), `the model should exercise ${k}`);
  }
  for (let i = 0; i < STEPS; i++) {
    assert.ok(
      Math.abs(cpu[i] - wasm[i]) < 1e-3 * Math.max(1, Math.abs(cpu[i])),
      `step ${i}: cpu ${cpu[i]} vs wasm ${wasm[i]}`,
    );
  }
  assert.ok(cpu[STEPS - 1] !== cpu[0], 'the loss should move');
});

test.run();
