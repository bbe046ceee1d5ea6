// Training speed of the reference CNN (../shared/bench/torch_reference.py) on wasm and cpu,
// against PyTorch single-thread on the same machine in the same run.
// Args: --epochs N (timed epochs, default 3), --cpu-batches N (default 2), --profile (also emit
// the per-kernel time of a wasm training step; --profile-only stops after it).

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../engine/training/backend.js';
import { makeOptimizer } from '../../engine/training/model/compile.js';
import { flag, median, PYTHON, pythonHas, sharedScript } from './util.js';

type Emit = (line: Record<string, unknown>) => void;

const SAMPLES = 512;
const BATCH = 64;

/** conv3x3(16) relu, maxpool2, conv3x3(32) relu, batchnorm, maxpool2, conv3x3(32) relu, gap, dense(10). */
export function referenceModel(): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.batchNormalization(),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 10 }),
    ],
  });
  model.compile({
    // the optimizer the engine trains candidates with (Adam; fused into one kernel on wasm)
    optimizer: makeOptimizer('adam', 1e-3),
    // Logits + softmax cross-entropy, as torch's CrossEntropyLoss.
    loss: (y: tf.Tensor, logits: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, logits),
  });
  return model;
}

export function referenceData(): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const x = tf.randomNormal([SAMPLES, 28, 28, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
  const labels = tf.randomUniform([SAMPLES], 0, 10, 'int32', 2) as tf.Tensor1D;
  const y = tf.oneHot(labels, 10).toFloat() as tf.Tensor2D;
  labels.dispose();
  return { x, y };
}

/** Process CPU ms of the last trainBatches call: less sensitive than wall time to other load. */
let lastCpuMs = 0;

/** Trains `batches` batches (of the epoch's 8) and returns the elapsed ms. */
async function trainBatches(model: tf.LayersModel, x: tf.Tensor4D, y: tf.Tensor2D, batches: number): Promise<number> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let b = 0; b < batches; b++) {
    const [xb, yb] = tf.tidy(() => [x.slice(b * BATCH, BATCH), y.slice(b * BATCH, BATCH)]);
    await model.trainOnBatch(xb, yb);
    tf.dispose([xb, yb]);
  }
  const c = process.cpuUsage(c0);
  lastCpuMs = (c.user + c.system) / 1000;
  return performance.now() - t0;
}

/**
 * ms per epoch: median of `epochs` runs of `batches` batches after a one-epoch warm-up (as
 * torch_reference.py does: the JIT and the kernels' first calls are not what is compared),
 * scaled to the 8 batches of an epoch; also each run's scaled time.
 */
async function msPerEpoch(
  backend: 'wasm' | 'cpu',
  epochs: number,
  batches: number,
): Promise<{ median: number; runs: number[]; cpu: number }> {
  await initBackend(backend);
  const model = referenceModel();
  const { x, y } = referenceData();
  await trainBatches(model, x, y, Math.min(batches, SAMPLES / BATCH));
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let e = 0; e < epochs; e++) {
    times.push(await trainBatches(model, x, y, batches));
    cpuTimes.push(lastCpuMs);
  }
  const scale = SAMPLES / BATCH / batches;
  model.optimizer.dispose();
  model.dispose();
  tf.dispose([x, y]);
  return {
    median: median(times) * scale,
    runs: times.map((t) => Math.round(t * scale)),
    cpu: median(cpuTimes) * scale,
  };
}

/** Per-kernel wall time of a wasm training step (mean over `steps` steps), largest first. */
async function profileStep(emit: Emit, steps: number): Promise<void> {
  await initBackend('wasm');
  const model = referenceModel();
  const { x, y } = referenceData();
  await trainBatches(model, x, y, 2);
  const [xb, yb] = tf.tidy(() => [x.slice(0, BATCH), y.slice(0, BATCH)]);
  const byKernel = new Map<string, { ms: number; calls: number }>();
  const byCall = new Map<string, number>();
  let kernels = 0;
  for (let s = 0; s < steps; s++) {
    const info = await tf.profile(async () => {
      await model.trainOnBatch(xb, yb);
    });
    kernels = info.kernels.length;
    for (const k of info.kernels) {
      const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs / steps : 0;
      const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
      e.ms += ms;
      e.calls += 1 / steps;
      byKernel.set(k.name, e);
      const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
      byCall.set(key, (byCall.get(key) ?? 0) + ms);
    }
  }
  const rows = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const total = rows.reduce((sum, [, e]) => sum + e.ms, 0);
  emit({ backend: 'wasm', profile: `mean of ${steps} steps`, kernel_ms_total: +total.toFixed(2), kernels });
  for (const [name, e] of rows.slice(0, 12))
    emit({ backend: 'wasm', kernel: name, ms: +e.ms.toFixed(2), calls: Math.round(e.calls) });
  const calls = [...byCall.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12);
  for (const [call, ms] of calls) emit({ backend: 'wasm', call, ms: +ms.toFixed(2) });
  tf.dispose([xb, yb, x, y]);
  model.optimizer.dispose();
  model.dispose();
}

async function torchMsPerEpoch(emit: Emit, epochs: number): Promise<number | undefined> {
  const script = sharedScript(emit, 'torch-cpu', 'torch_reference.py');
  if (!script || !(await pythonHas(emit, 'torch-cpu', 'torch', 'python3-torch'))) return undefined;
  const { stdout } = await promisify(execFile)(PYTHON, [script, '1', String(epochs)]);
  const line = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { ms_per_epoch?: number; torch?: string };
  if (typeof line.ms_per_epoch !== 'number') throw new Error(`unexpected torch output: ${stdout}`);
  emit({ reference: 'torch-cpu', torch: line.torch, threads: 1, ms_per_epoch: line.ms_per_epoch });
  return line.ms_per_epoch;
}

export default async function run(emit: Emit, args: string[]): Promise<void> {
  const epochs = flag(args, 'epochs', 3);
  const cpuBatches = flag(args, 'cpu-batches', 2);
  if (args.includes('--profile')) await profileStep(emit, flag(args, 'profile-steps', 5));
  if (args.includes('--profile-only')) return;
  // Torch runs before and after wasm and the ratio uses their mean, so that load from other
  // processes on a shared machine weighs on both sides alike.
  const torchBefore = await torchMsPerEpoch(emit, epochs);
  const wasmRuns = await msPerEpoch('wasm', epochs, SAMPLES / BATCH);
  const wasm = wasmRuns.median;
  // cpu_ms_per_epoch: this process's CPU time (wasm runs single-threaded; V8's GC helpers add
  // a little): a check on ms_per_epoch when other processes load the machine.
  emit({
    backend: 'wasm',
    ms_per_epoch: +wasm.toFixed(1),
    epochs_ms: wasmRuns.runs,
    cpu_ms_per_epoch: +wasmRuns.cpu.toFixed(1),
  });
  const torchAfter = torchBefore === undefined ? undefined : await torchMsPerEpoch(emit, epochs);
  if (torchBefore !== undefined && torchAfter !== undefined) {
    const torch = (torchBefore + torchAfter) / 2;
    emit({ ratio_wasm_to_torch: +(wasm / torch).toFixed(2), torch_ms_per_epoch_mean: +torch.toFixed(1) });
  }
  if (cpuBatches > 0) {
    const cpu = (await msPerEpoch('cpu', 1, cpuBatches)).median;
    emit({
      backend: 'cpu',
      ms_per_epoch: Math.round(cpu),
      measured_batches: cpuBatches,
      note: `scaled from ${cpuBatches} of ${SAMPLES / BATCH} batches`,
    });
  }
}
