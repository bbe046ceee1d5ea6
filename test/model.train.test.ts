// Built models train: a tiny CNN and a cell network on the cpu backend, a dense net on wasm (iris),
// and weight decay shrinks kernels.

import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadDataset, splitDataset, toTensors } from '../engine/training/datasets/index.js';
import { buildModel, compileModel, type ModelSpec } from '../engine/training/model/index.js';

async function train(
  spec: ModelSpec,
  source: string,
  opts: { epochs: number; lr: number; limit?: number; wd?: number; optimizer?: string },
) {
  const ds = loadDataset({ source, label: 'label', split: { validation: 0.2 }, limit: opts.limit }, spec.inputShape);
  const { train: tr, validation: va } = splitDataset(ds, 0.2, 1);
  const model = buildModel(spec);
  const optimizer = compileModel(model, {
    optimizer: opts.optimizer ?? 'adam',
    learningRate: opts.lr,
    weightDecay: opts.wd,
  });
  const a = toTensors(tr);
  const b = toTensors(va);
  try {
    const h = await model.fit(a.x, a.y, { epochs: opts.epochs, batchSize: 16, verbose: 0, validationData: [b.x, b.y] });
    const kernelNorm = tf.tidy(() =>
      model.trainableWeights
        .filter((w) => /kernel/.test(w.name))
        .reduce((s, w) => s + tf.sum(tf.square(w.read())).dataSync()[0], 0),
    );
    return { loss: h.history.loss as number[], valAcc: h.history.val_acc as number[], kernelNorm };
  } finally {
    tf.dispose([a.x, a.y, b.x, b.y]);
    model.dispose();
    optimizer.dispose();
  }
}

test('a tiny CNN trains on the cpu backend: the loss decreases', async () => {
  await tf.setBackend('cpu');
  const before = tf.memory().numTensors;
  const spec: ModelSpec = {
    space: 'chain',
    arch: {
      layers: [
        { type: 'conv2d', filters: 4, kernel: 3 },
        { type: 'max_pool', size: 2 },
        { type: 'dense', units: 16 },
      ],
    },
    inputShape: [8, 8, 1],
    classes: 10,
    seed: 5,
  };
  const { loss } = await train(spec, 'builtin:digits', { epochs: 4, lr: 0.01, limit: 300 });
  assert.ok(loss[loss.length - 1] < loss[0] * 0.8, `loss ${loss.join(' -> ')}`);
  assert.is(tf.memory().numTensors, before, 'model, optimizer and data disposed');
});

test('an nb201 cell network trains on cpu, also when the cell is all-none', async () => {
  await tf.setBackend('cpu');
  for (const ops of [
    ['nor_conv_3x3', 'skip_connect', 'avg_pool_3x3', 'nor_conv_1x1', 'none', 'skip_connect'],
    ['none', 'none', 'none', 'none', 'none', 'none'],
  ]) {
    const spec: ModelSpec = {
      space: 'cell',
      arch: { ops },
      nodes: 4,
      inputShape: [8, 8, 1],
      classes: 10,
      skeleton: { channels: 4, cells: 1, stages: 2 },
      seed: 2,
    };
    const allNone = ops[0] === 'none';
    const { loss } = await train(spec, 'builtin:digits', { epochs: allNone ? 1 : 3, lr: 0.02, limit: 100 });
    assert.ok(loss.every(Number.isFinite), `${ops}: ${loss}`);
    if (!allNone) assert.ok(loss[2] < loss[0], `loss ${loss.join(' -> ')}`);
  }
});

test('weight decay shrinks kernels', async () => {
  await tf.setBackend('cpu');
  const spec: ModelSpec = {
    space: 'chain',
    arch: { layers: [{ type: 'dense', units: 8 }] },
    inputShape: [4],
    classes: 3,
    seed: 9,
  };
  const plain = await train(spec, 'builtin:iris', { epochs: 3, lr: 0.05, optimizer: 'sgd' });
  const decayed = await train(spec, 'builtin:iris', { epochs: 3, lr: 0.05, optimizer: 'sgd', wd: 0.5 });
  assert.ok(decayed.kernelNorm < plain.kernelNorm * 0.8, `${decayed.kernelNorm} vs ${plain.kernelNorm}`);
});

test('a dense network trains on wasm to > 0.85 validation accuracy on iris', async () => {
  assert.ok(await tf.setBackend('wasm'), 'wasm backend');
  try {
    const spec: ModelSpec = {
      space: 'chain',
      arch: {
        layers: [
          { type: 'dense', units: 16 },
          { type: 'dense', units: 16, activation: 'tanh' },
        ],
      },
      inputShape: [4],
      classes: 3,
      seed: 1,
    };
    const { valAcc } = await train(spec, 'builtin:iris', { epochs: 40, lr: 0.02 });
    assert.ok(valAcc[valAcc.length - 1] > 0.85, `validation accuracy ${valAcc[valAcc.length - 1]}`);
  } finally {
    await tf.setBackend('cpu');
  }
});

test.run();
