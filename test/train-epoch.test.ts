/**
 * trainEpoch is fit's epoch without fit's per-batch machinery: from the same weights on the same
 * batches it must give fit's loss, accuracy and weights, stop where told, and leave no tensor.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../engine/training/backend.js';
import { compileModel, trainEpoch } from '../engine/training/model/index.js';
import { lcg } from './helpers/random.js';

function model(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 3, kernelSize: 3, activation: 'relu' }),
      tf.layers.flatten(),
      tf.layers.dropout({ rate: 0 }),
      tf.layers.dense({ units: 4, activation: 'softmax' }),
    ],
  });
}

function data(n: number): [tf.Tensor, tf.Tensor] {
  const rand = lcg(5);
  const x = tf.tensor4d(
    Float32Array.from({ length: n * 36 }, () => rand() - 0.5),
    [n, 6, 6, 1],
  );
  const y = tf
    .oneHot(
      tf.tensor1d(
        Int32Array.from({ length: n }, () => Math.floor(rand() * 4)),
        'int32',
      ),
      4,
    )
    .toFloat();
  return [x, y];
}

for (const backend of ['cpu', 'wasm'] as const) {
  test(`${backend}: trainEpoch gives fit's loss, accuracy and weights (a short last batch included)`, async () => {
    await initBackend(backend);
    const [x, y] = data(70); // batches of 32, 32 and 6
    const a = model();
    const b = model();
    b.setWeights(a.getWeights());
    const oa = compileModel(a, { learningRate: 0.01 });
    const ob = compileModel(b, { learningRate: 0.01 });
    let afterFirst = 0;
    for (let epoch = 0; epoch < 3; epoch++) {
      const h = await a.fit(x, y, { epochs: 1, batchSize: 32, shuffle: false, verbose: 0 });
      const seen: number[] = [];
      const r = await trainEpoch(b, x, y, 32, (batch) => (seen.push(batch), false));
      assert.equal(seen, [0, 1, 2]);
      assert.is(r.batches, 3);
      assert.ok(Math.abs(r.loss - Number(h.history.loss[0])) < 1e-6, `loss ${r.loss} vs fit ${h.history.loss[0]}`);
      assert.ok(
        Math.abs(r.accuracy - Number(h.history.acc[0])) < 1e-6,
        `accuracy ${r.accuracy} vs fit ${h.history.acc[0]}`,
      );
      // the optimizers make their moments in the first epoch; nothing may accumulate after it
      if (epoch === 0) afterFirst = tf.memory().numTensors;
      else assert.is(tf.memory().numTensors, afterFirst, `epoch ${epoch}: tensors left behind`);
    }
    const [wa, wb] = [a.getWeights(), b.getWeights()];
    for (let i = 0; i < wa.length; i++)
      assert.equal(Array.from(wb[i].dataSync()), Array.from(wa[i].dataSync()), `weight ${i}`);
    // stopping after the first batch: one optimizer step, the mean over that batch only
    const one = await trainEpoch(b, x, y, 32, () => true);
    assert.is(one.batches, 1);
    assert.ok(Number.isFinite(one.loss) && one.accuracy >= 0 && one.accuracy <= 1);
    tf.dispose([x, y]);
    oa.dispose();
    ob.dispose();
    a.dispose();
    b.dispose();
  });
}

test.run();
