// Training speed of the four sequence models of ../shared/bench/torch_sequence_reference.py (conv1d,
// lstm, gru, transformer) as the engine builds and trains them (chain builder, compileModel's fused
// Adam, trainEpoch), on wasm, against PyTorch single-thread on the same shapes in the same run:
// 1,024 sequences of 200 token ids (vocabulary 20,000), 2 classes, batch 64, Adam 1e-3.
// One line per model: wasm and torch ms per epoch and their ratio. Torch runs before and after wasm
// and the ratio uses the mean, so other load on a shared machine weighs on both sides alike.
// Differences from the reference: conv1d pads 'same' (200 outputs; torch's is 'valid', 196) and the
// classifier is softmax + cross-entropy on probabilities (torch: logits + CrossEntropyLoss).
// Args: --epochs N (timed epochs, default 3), --models a,b (default all), --batches N (time N
// batches of the 16 and scale; for slow models), --profile (per-kernel time of one step per model).

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../engine/training/backend.js';
import { buildModel, compileModel, trainEpoch, type ChainLayer } from '../../engine/training/model/index.js';
import { flag, median, PYTHON, pythonHas, sharedScript } from './util.js';
import { matmulCeiling } from './matmul-ceiling.js';

type Emit = (line: Record<string, unknown>) => void;

const N = 1024;
const L = 200;
const V = 20000;
const B = 64;

export const SEQUENCE_MODELS: Record<string, ChainLayer[]> = {
  conv1d: [
    { type: 'embedding', dim: 64 },
    { type: 'conv1d', filters: 64, kernel: 5, dilation: 1, activation: 'relu' },
    { type: 'global_pool', mode: 'max' },
  ],
  lstm: [
    { type: 'embedding', dim: 64 },
    { type: 'lstm', units: 64, bidirectional: false, return_sequences: false },
  ],
  gru: [
    { type: 'embedding', dim: 64 },
    { type: 'gru', units: 64, bidirectional: false, return_sequences: false },
  ],
  // the chain's head averages the sequence (global average pool) before dense(2), as the reference
  transformer: [
    { type: 'embedding', dim: 64 },
    { type: 'attention', heads: 4, key_dim: 16, ff_units: 128, dropout: 0 },
  ],
};

function build(name: string): { model: tf.LayersModel; optimizer: tf.Optimizer } {
  const model = buildModel({
    space: 'chain',
    arch: { layers: SEQUENCE_MODELS[name] },
    inputShape: [L],
    classes: 2,
    vocab: V,
    seed: 1,
  });
  const optimizer = compileModel(model, { optimizer: 'adam', learningRate: 1e-3, weightDecay: 0 });
  return { model, optimizer };
}

function data(): { x: tf.Tensor; y: tf.Tensor } {
  return tf.tidy(() => ({
    x: tf.floor(tf.randomUniform([N, L], 0, V, 'float32', 1)),
    y: tf.oneHot(tf.randomUniform([N], 0, 2, 'int32', 2) as tf.Tensor1D, 2).toFloat(),
  }));
}

/** ms per epoch: median of `epochs` timed epochs after a one-epoch warm-up (`batches` of the 16 timed, scaled). */
async function wasmMsPerEpoch(name: string, epochs: number, batches: number): Promise<{ ms: number; runs: number[] }> {
  await initBackend('wasm');
  const { model, optimizer } = build(name);
  const { x, y } = data();
  const n = batches * B;
  const [xs, ys] = tf.tidy(() => [x.slice(0, n), y.slice(0, n)]);
  await trainEpoch(model, xs, ys, B, () => false);
  const runs: number[] = [];
  for (let e = 0; e < epochs; e++) {
    const t0 = performance.now();
    await trainEpoch(model, xs, ys, B, () => false);
    runs.push(((performance.now() - t0) * N) / n);
  }
  tf.dispose([x, y, xs, ys]);
  optimizer.dispose();
  model.dispose();
  return { ms: median(runs), runs: runs.map(Math.round) };
}

async function profile(emit: Emit, name: string): Promise<void> {
  await initBackend('wasm');
  const { model, optimizer } = build(name);
  const { x, y } = data();
  const [xb, yb] = tf.tidy(() => [x.slice(0, B), y.slice(0, B)]);
  await trainEpoch(model, xb, yb, B, () => false);
  const info = await tf.profile(async () => {
    await trainEpoch(model, xb, yb, B, () => false);
  });
  const by = new Map<string, { ms: number; calls: number }>();
  for (const k of info.kernels) {
    const e = by.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    e.calls++;
    by.set(k.name, e);
  }
  const rows = [...by.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const total = rows.reduce((s, [, e]) => s + e.ms, 0);
  emit({
    model: name,
    profile: 'one step, batch 64',
    kernel_ms_total: +total.toFixed(1),
    kernels: info.kernels.length,
  });
  for (const [kernel, e] of rows.slice(0, 10)) emit({ model: name, kernel, ms: +e.ms.toFixed(2), calls: e.calls });
  tf.dispose([x, y, xb, yb]);
  optimizer.dispose();
  model.dispose();
}

async function torchMsPerEpoch(emit: Emit, epochs: number, models: string[]): Promise<Map<string, number> | undefined> {
  const script = sharedScript(emit, 'torch-cpu', 'torch_sequence_reference.py');
  if (!script || !(await pythonHas(emit, 'torch-cpu', 'torch', 'python3-torch'))) return undefined;
  const { stdout } = await promisify(execFile)(PYTHON, [script, '1', String(epochs), models.join(',')], {
    maxBuffer: 1 << 20,
  });
  const out = new Map<string, number>();
  for (const l of stdout.trim().split('\n')) {
    const j = JSON.parse(l) as { model?: string; ms_per_epoch?: number };
    if (typeof j.model === 'string' && typeof j.ms_per_epoch === 'number') out.set(j.model, j.ms_per_epoch);
  }
  return out;
}

export default async function run(emit: Emit, args: string[]): Promise<void> {
  const epochs = flag(args, 'epochs', 3);
  const batches = Math.min(N / B, flag(args, 'batches', N / B));
  const i = args.indexOf('--models');
  const models = i >= 0 ? args[i + 1].split(',') : Object.keys(SEQUENCE_MODELS);
  for (const m of models)
    if (!SEQUENCE_MODELS[m]) throw new Error(`unknown model ${m}; known: ${Object.keys(SEQUENCE_MODELS).join(', ')}`);
  if (args.some((a) => a.startsWith('--profile'))) for (const m of models) await profile(emit, m);
  if (args.includes('--profile-only')) return;
  // the ceiling: conv1d's forward product as im2col would form it ([batch*steps, kernel*channels] x
  // [kernel*channels, filters]), and a square product, the shape both sides do best on
  await matmulCeiling(emit, 'conv1d im2col', B * L, 5 * 64, 64);
  await matmulCeiling(emit, 'square', 512, 512, 512);
  const before = await torchMsPerEpoch(emit, epochs, models);
  const wasm = new Map<string, { ms: number; runs: number[] }>();
  for (const m of models) wasm.set(m, await wasmMsPerEpoch(m, epochs, batches));
  const after = before && (await torchMsPerEpoch(emit, epochs, models));
  for (const m of models) {
    const w = wasm.get(m)!;
    const t = before && after ? (before.get(m)! + after.get(m)!) / 2 : undefined;
    emit({
      model: m,
      wasm_ms_per_epoch: +w.ms.toFixed(1),
      wasm_epochs_ms: w.runs,
      ...(batches < N / B ? { note: `scaled from ${batches} of ${N / B} batches` } : {}),
      ...(t !== undefined
        ? {
            torch_ms_per_epoch: +t.toFixed(1),
            torch_runs: [before!.get(m), after!.get(m)],
            ratio: +(w.ms / t).toFixed(2),
          }
        : {}),
    });
  }
}
