/**
 * Every sequence layer type (embedding, conv1d, 1-D pooling, global_pool, lstm, gru, attention,
 * layer_norm) built by the chain builder gives the same loss gradient on wasm as on the cpu
 * backend, from the same weights and batch (cases: test/fixtures/sequence/gradient-cases.json),
 * and the built model saves and loads with its custom layers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../engine/training/backend.js';
import { buildModel, layerFlops, type ChainLayer } from '../engine/training/model/index.js';
import { computeProxies } from '../engine/evaluation/proxies/proxies.js';
import { DilatedConv1D } from '../engine/training/model/dilated-conv1d.js';
import { FIXTURES } from './helpers/paths.js';
import { lcg, random } from './helpers/random.js';
import { reloaded } from './helpers/reload.js';

interface Case {
  name: string;
  input: number[];
  vocab?: number;
  layers: ChainLayer[];
}

const CASES = (JSON.parse(readFileSync(join(FIXTURES, 'sequence', 'gradient-cases.json'), 'utf8')) as { cases: Case[] })
  .cases;
const CLASSES = 3;
const N = 5;

function batch(c: Case): { x: Float32Array; y: Int32Array } {
  const size = c.input.reduce((a, b) => a * b, 1);
  const rand = lcg(7);
  const x = c.vocab
    ? Float32Array.from({ length: N * size }, () => Math.floor(rand() * (c.vocab as number)))
    : random(N * size, 11);
  return { x, y: Int32Array.from({ length: N }, (_, i) => i % CLASSES) };
}

/** Loss and the gradient of every trainable weight, on `backend`, from the cpu-built weights. */
async function gradients(backend: 'cpu' | 'wasm', c: Case, weights: Float32Array[]): Promise<Float32Array[]> {
  assert.ok(await initBackend(backend).then(() => tf.getBackend() === backend), `backend ${backend}`);
  const model = buildModel({
    space: 'chain',
    arch: { layers: c.layers },
    inputShape: c.input,
    classes: CLASSES,
    seed: 3,
    ...(c.vocab ? { vocab: c.vocab } : {}),
  });
  model.setWeights(weights.map((w, i) => tf.tensor(w, model.getWeights()[i].shape)));
  const { x, y } = batch(c);
  const xs = tf.tensor(x, [N, ...c.input]);
  const ys = tf.oneHot(tf.tensor1d(y, 'int32'), CLASSES);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(() => {
    const p = model.apply(xs, { training: false }) as tf.Tensor;
    return tf.mean(tf.neg(tf.sum(tf.mul(ys, tf.log(tf.add(p, 1e-7))), -1))) as tf.Scalar;
  }, vars);
  assert.ok(Number.isFinite(value.dataSync()[0]));
  const out = vars.map((v) => grads[v.name].dataSync() as Float32Array);
  tf.dispose([xs, ys, value, ...Object.values(grads)]);
  model.dispose();
  return out;
}

for (const c of CASES) {
  test(`gradients on wasm match cpu: ${c.name}`, async () => {
    await initBackend('cpu');
    const ref = buildModel({
      space: 'chain',
      arch: { layers: c.layers },
      inputShape: c.input,
      classes: CLASSES,
      seed: 3,
      ...(c.vocab ? { vocab: c.vocab } : {}),
    });
    const weights = ref.getWeights().map((w) => w.dataSync() as Float32Array);
    ref.dispose();
    const cpu = await gradients('cpu', c, weights);
    const wasm = await gradients('wasm', c, weights);
    assert.is(wasm.length, cpu.length);
    let nonzero = 0;
    cpu.forEach((g, i) => {
      const scale = Math.max(1e-3, ...Array.from(g, Math.abs));
      for (let j = 0; j < g.length; j++) {
        if (Math.abs(g[j] - wasm[i][j]) > 2e-3 * scale + 1e-6) {
          assert.unreachable(`weight ${i} [${j}]: cpu ${g[j]} vs wasm ${wasm[i][j]}`);
        }
        if (g[j] !== 0) nonzero++;
      }
    });
    assert.ok(nonzero > 0, 'some gradient is not zero');
  });
}

test('a model with attention and embedding saves and loads with the same predictions', async () => {
  await initBackend('cpu');
  const c = CASES[2];
  const model = buildModel({
    space: 'chain',
    arch: { layers: c.layers },
    inputShape: c.input,
    classes: CLASSES,
    seed: 5,
    vocab: c.vocab,
  });
  const loaded = await reloaded(model);
  const x = tf.tensor(batch(c).x, [N, ...c.input]);
  const a = (model.predict(x) as tf.Tensor).dataSync();
  const b = (loaded.predict(x) as tf.Tensor).dataSync();
  assert.equal(Array.from(b), Array.from(a));
});

test('an embedding without token input, or a layer before the embedding, is unbuildable', () => {
  assert.throws(
    () =>
      buildModel({ space: 'chain', arch: { layers: [{ type: 'embedding', dim: 4 }] }, inputShape: [6], classes: 2 }),
    /token ids/,
  );
  assert.throws(
    () =>
      buildModel({
        space: 'chain',
        arch: {
          layers: [
            { type: 'dense', units: 4 },
            { type: 'embedding', dim: 4 },
          ],
        },
        inputShape: [6],
        classes: 2,
        vocab: 9,
      }),
    /embedding must come first/,
  );
  assert.throws(
    () => buildModel({ space: 'chain', arch: { layers: [{ type: 'lstm', units: 4 }] }, inputShape: [6], classes: 2 }),
    /needs a sequence/,
  );
});

test('a dilated conv1d (im2col) computes what tf.conv1d computes with that dilation', async () => {
  await initBackend('cpu');
  for (const [k, d] of [
    [3, 2],
    [2, 3],
    [5, 2],
  ]) {
    const layer = new DilatedConv1D({ filters: 3, kernel: k, dilation: d, activation: 'linear' });
    const x = tf.tensor3d(random(2 * 9 * 4, k * 10 + d), [2, 9, 4]);
    const got = layer.apply(x) as tf.Tensor;
    const [kernel, bias] = layer.getWeights();
    const want = tf.add(tf.conv1d(x, kernel as tf.Tensor3D, 1, 'same', 'NWC', d), bias);
    assert.equal(got.shape, want.shape);
    const a = got.dataSync();
    const b = want.dataSync();
    for (let i = 0; i < a.length; i++)
      assert.ok(Math.abs(a[i] - b[i]) < 1e-5, `k=${k} d=${d} [${i}]: ${a[i]} vs ${b[i]}`);
  }
});

test('zero-cost proxies are finite on a token model (jacob_cov through the embedded vectors)', async () => {
  await initBackend('cpu');
  const c = CASES[0];
  const model = buildModel({
    space: 'chain',
    arch: { layers: c.layers },
    inputShape: c.input,
    classes: CLASSES,
    seed: 2,
    vocab: c.vocab,
  });
  const x = tf.tensor(batch(c).x, [N, ...c.input]);
  const y = tf.oneHot(tf.tensor1d(batch(c).y, 'int32'), CLASSES);
  const out = computeProxies(model, ['synflow', 'grad_norm', 'jacob_cov'], { x, y, inputShape: c.input });
  for (const [k, v] of Object.entries(out)) assert.ok(Number.isFinite(v) && v !== 0, `${k} = ${v}`);
});

test('flops count the sequence layers: conv1d (dilated too), lstm, bidirectional gru, attention', async () => {
  await initBackend('cpu');
  const flops = (layers: ChainLayer[], input: number[], vocab?: number) => {
    const m = buildModel({
      space: 'chain',
      arch: { layers },
      inputShape: input,
      classes: 2,
      ...(vocab ? { vocab } : {}),
    });
    const per = m.layers.map((l) => layerFlops(l));
    m.dispose();
    return per.filter((f) => f > 0);
  };
  // [10 steps, 3 features]; head dense(2) counted last
  assert.equal(flops([{ type: 'conv1d', filters: 4, kernel: 3, dilation: 1 }], [10, 3]), [10 * 4 * 3 * 3, 4 * 2]);
  assert.equal(flops([{ type: 'conv1d', filters: 4, kernel: 3, dilation: 2 }], [10, 3]), [10 * 4 * 3 * 3, 4 * 2]);
  assert.equal(flops([{ type: 'lstm', units: 5 }], [10, 3]), [10 * 4 * 5 * (3 + 5), 5 * 2]);
  assert.equal(flops([{ type: 'gru', units: 5, bidirectional: true }], [10, 3]), [2 * 10 * 3 * 5 * (3 + 5), 10 * 2]);
  const [att] = flops(
    [
      { type: 'embedding', dim: 8 },
      { type: 'attention', heads: 2, key_dim: 4, ff_units: 16 },
    ],
    [6],
    20,
  );
  assert.is(att, 6 * (4 * 8 * 8 + 2 * 8 * 16) + 2 * 6 * 6 * 8);
});

test.run();
