/**
 * The fused recurrent layer (NasRecurrent: lstm and gru, model/recurrent.ts). On the cpu backend
 * (its step-by-step tf ops) its output and the gradients of sum(y * r) with respect to the input,
 * kernel, recurrent kernel and bias equal tfjs-layers' LSTM, GRU and Bidirectional with the same
 * weights; on wasm (one native call forward and one backward) they equal cpu's. Cases:
 * test/fixtures/sequence/recurrent-cases.json. A chain model with these layers saves and loads.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../engine/training/backend.js';
import { FusedRecurrent } from '../engine/training/model/recurrent.js';
import { buildModel, compileModel, trainEpoch } from '../engine/training/model/index.js';
import { FIXTURES } from './helpers/paths.js';
import { random } from './helpers/random.js';
import { reloaded } from './helpers/reload.js';

interface Case {
  name: string;
  cell: 'lstm' | 'gru';
  units: number;
  returnSequences: boolean;
  bidirectional: boolean;
  sigmoid: boolean;
  batch: number;
  steps: number;
  features: number;
  /** tfjs-layers' own layer cannot take this case's gradient (one step: its Unpack gradient fails). */
  tfjsFails?: boolean;
}

interface Outcome {
  y: Float32Array;
  /** d/dx, then d/dw for every weight in the layer's order. */
  grads: Float32Array[];
  kernels: string[];
}

const CASES = (
  JSON.parse(readFileSync(join(FIXTURES, 'sequence', 'recurrent-cases.json'), 'utf8')) as { cases: Case[] }
).cases;

function tfjsLayer(c: Case): tf.layers.Layer {
  const args = {
    units: c.units,
    returnSequences: c.returnSequences,
    recurrentActivation: c.sigmoid ? ('sigmoid' as const) : ('hardSigmoid' as const),
  };
  const rnn = c.cell === 'lstm' ? tf.layers.lstm(args) : tf.layers.gru(args);
  return c.bidirectional ? tf.layers.bidirectional({ layer: rnn as tf.RNN, mergeMode: 'concat' }) : rnn;
}

function fusedLayer(c: Case): tf.layers.Layer {
  return new FusedRecurrent({
    cell: c.cell,
    units: c.units,
    returnSequences: c.returnSequences,
    bidirectional: c.bidirectional,
    recurrentActivation: c.sigmoid ? 'sigmoid' : 'hardSigmoid',
  });
}

/** Weights of every shape the layer has, seeded (values in [-0.6, 0.6), so that gates are not all saturated). */
function weightsFor(layer: tf.layers.Layer, seed: number): Float32Array[] {
  return layer.weights.map((w, i) => random(tf.util.sizeFromShape(w.shape as number[]), seed + i).map((v) => 1.2 * v));
}

async function run(backend: 'cpu' | 'wasm', c: Case, make: (c: Case) => tf.layers.Layer): Promise<Outcome> {
  assert.ok(await initBackend(backend).then(() => tf.getBackend() === backend), `backend ${backend}`);
  const shape = [c.batch, c.steps, c.features];
  const layer = make(c);
  layer.apply(tf.input({ shape: shape.slice(1) })); // builds the layer (and lets dispose() free it)
  layer.setWeights(weightsFor(layer, 21).map((w, i) => tf.tensor(w, layer.weights[i].shape as number[])));
  const x = tf.variable(tf.tensor3d(random(tf.util.sizeFromShape(shape), 5), shape as [number, number, number]));
  const outShape = layer.computeOutputShape(shape) as number[];
  const r = tf.tensor(random(tf.util.sizeFromShape(outShape), 9), outShape);
  const vars = [x, ...layer.trainableWeights.map((w) => w.read() as tf.Variable)];
  let y: Float32Array = new Float32Array();
  const info = await tf.profile(() => {
    const { grads } = tf.variableGrads(() => {
      const out = layer.apply(x) as tf.Tensor;
      y = out.dataSync() as Float32Array;
      return tf.sum(tf.mul(out, r)) as tf.Scalar;
    }, vars);
    const out = vars.map((v) => grads[v.name].dataSync() as Float32Array);
    tf.dispose(Object.values(grads));
    return out;
  });
  const grads = info.result as unknown as Float32Array[];
  tf.dispose([x, r]);
  layer.dispose();
  return { y, grads, kernels: info.kernels.map((k) => k.name) };
}

function close(what: string, a: Float32Array, b: Float32Array, tol: number): void {
  assert.is(a.length, b.length, `${what}: length`);
  const scale = Math.max(1e-3, ...Array.from(b, Math.abs));
  for (let i = 0; i < a.length; i++) {
    if (!(Math.abs(a[i] - b[i]) <= tol * scale)) assert.unreachable(`${what} [${i}]: ${a[i]} vs ${b[i]}`);
  }
}

/** With one step the recurrent kernels (weights 1, 4: kernel, recurrent, bias per direction) get no gradient. */
const recurrentKernel = (c: Case, i: number) => c.steps === 1 && i > 0 && (i - 1) % 3 === 1;

function same(c: Case, a: Outcome, b: Outcome, tol: number): void {
  close('output', a.y, b.y, tol);
  assert.is(a.grads.length, b.grads.length, 'gradient count');
  a.grads.forEach((g, i) => close(i === 0 ? 'd/dx' : `d/dweight ${i - 1}`, g, b.grads[i], tol));
  b.grads.forEach((g, i) =>
    assert.ok(recurrentKernel(c, i) || g.some((v) => v !== 0), `gradient ${i} is not all zero`),
  );
}

for (const c of CASES) {
  if (!c.tfjsFails)
    test(`cpu: NasRecurrent equals tfjs-layers: ${c.name}`, async () => {
      const ours = await run('cpu', c, fusedLayer);
      const theirs = await run('cpu', c, tfjsLayer);
      same(c, ours, theirs, 1e-5);
    });

  test(`wasm: the native recurrence equals cpu's: ${c.name}`, async () => {
    const wasm = await run('wasm', c, fusedLayer);
    const kernel = c.cell === 'lstm' ? 'NasLSTM' : 'NasGRU';
    assert.ok(wasm.kernels.includes(kernel), `${kernel} ran: ${wasm.kernels.join(' ')}`);
    assert.ok(wasm.kernels.includes(`${kernel}Grad`), `${kernel}Grad ran`);
    same(c, wasm, await run('cpu', c, fusedLayer), 1e-5);
  });
}

test('a chain model with lstm and bidirectional gru saves and loads with the same predictions', async () => {
  await initBackend('wasm');
  const model = buildModel({
    space: 'chain',
    arch: {
      layers: [
        { type: 'embedding', dim: 6 },
        { type: 'lstm', units: 5, bidirectional: false, return_sequences: true },
        { type: 'gru', units: 4, bidirectional: true, return_sequences: false },
      ],
    },
    inputShape: [7],
    classes: 3,
    seed: 4,
    vocab: 20,
  });
  // each direction of the bidirectional gru starts from its own draw
  const gru = model.layers.find((l) => l.getClassName() === 'NasRecurrent' && l.getWeights().length === 6)!;
  const [fk, fr, , bk, br] = gru.getWeights().map((w) => Array.from(w.dataSync()));
  assert.not.equal(bk, fk);
  assert.not.equal(br, fr);
  const loaded = await reloaded(model);
  assert.equal(
    loaded.layers.map((l) => l.getClassName()),
    model.layers.map((l) => l.getClassName()),
  );
  const x = tf.tensor2d(
    Array.from({ length: 21 }, (_, i) => (i * 7) % 20),
    [3, 7],
  );
  const a = (model.predict(x) as tf.Tensor).dataSync();
  const b = (loaded.predict(x) as tf.Tensor).dataSync();
  assert.equal(Array.from(b), Array.from(a));
  tf.dispose(x);
  model.dispose();
  loaded.dispose();
});

test('training a bidirectional lstm on wasm lowers the loss and holds no tensors after each epoch', async () => {
  await initBackend('wasm');
  const model = buildModel({
    space: 'chain',
    arch: {
      layers: [
        { type: 'embedding', dim: 8 },
        { type: 'lstm', units: 6, bidirectional: true, return_sequences: false },
      ],
    },
    inputShape: [9],
    classes: 2,
    seed: 2,
    vocab: 12,
  });
  const optimizer = compileModel(model, { optimizer: 'adam', learningRate: 0.02 });
  // the label is whether token 1 occurs: the recurrence must carry it to the last state
  const rows = Array.from({ length: 64 }, (_, i) => Array.from({ length: 9 }, (_, j) => 2 + ((i * 7 + j * 5) % 10)));
  rows.forEach((r, i) => i % 2 === 0 && (r[i % 9] = 1));
  const x = tf.tensor2d(rows);
  const y = tf.oneHot(
    tf.tensor1d(
      rows.map((_, i) => (i % 2 === 0 ? 1 : 0)),
      'int32',
    ),
    2,
  );
  const losses: number[] = [];
  let held = -1;
  for (let e = 0; e < 8; e++) {
    losses.push((await trainEpoch(model, x, y, 16, () => false)).loss);
    if (e === 1) held = tf.memory().numTensors;
    if (e > 1) assert.is(tf.memory().numTensors, held, `tensors held after epoch ${e}`);
  }
  assert.ok(losses[7] < 0.8 * losses[0], `loss ${losses[0]} -> ${losses[7]}`);
  tf.dispose([x, y]);
  optimizer.dispose();
  model.dispose();
});

test.run();
