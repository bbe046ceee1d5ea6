// A thread of the core-sharing benchmark: the probe (times training steps) or a neighbour that
// loads the other core in one way until told to stop.

import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { modelSpecFor } from '../../engine/evaluation/train/core.js';
import { initBackend } from '../../engine/training/backend.js';
import { buildModel } from '../../engine/training/model/build.js';
import { compileModel } from '../../engine/training/model/compile.js';
import type { WorkerInput } from './core-sharing.js';

const { role, stop, steps, reps, jobs } = workerData as WorkerInput;
const stopped = () => Atomics.load(new Int32Array(stop), 0) !== 0;

/** The model a trial of `job` trains, built and compiled as the train evaluator does. */
function model(job: WorkerInput['jobs'][number]): tf.LayersModel {
  const m = buildModel(modelSpecFor(job, [28, 28, 1], 10));
  compileModel(m, { optimizer: job.settings.optimizer, learningRate: job.settings.learningRate });
  return m;
}

async function main(): Promise<void> {
  const port = parentPort!;
  if (role === 'alu') {
    // a dependent floating-point chain: registers only, no memory traffic
    port.postMessage('ready');
    let x = 1.0001;
    while (!stopped()) for (let i = 0; i < 1e6; i++) x = x * 1.0000001 + 1e-9;
    port.postMessage(x);
    return;
  }
  if (role === 'memory') {
    // one read-modify-write per cache line over 64 MB: memory bandwidth, little arithmetic
    const a = new Float32Array(16 << 20);
    port.postMessage('ready');
    while (!stopped()) for (let i = 0; i < a.length; i += 16) a[i] += 1;
    port.postMessage(a[0]);
    return;
  }
  await initBackend('wasm');
  const models = jobs.map(model);
  const x = tf.randomNormal([32, 28, 28, 1]);
  const y = tf.oneHot(tf.randomUniform([32], 0, 10, 'int32'), 10).toFloat();
  for (const m of models) for (let i = 0; i < 150; i++) await m.trainOnBatch(x, y);
  port.postMessage('ready');
  if (role === 'training') {
    for (let i = 0; !stopped(); i++) await models[i % models.length].trainOnBatch(x, y);
    port.postMessage('done');
    return;
  }
  await new Promise((r) => port.once('message', r));
  const ms: number[][] = models.map(() => []);
  for (let r = 0; r < reps; r++) {
    for (const [k, m] of models.entries()) {
      const t0 = performance.now();
      for (let i = 0; i < steps; i++) await m.trainOnBatch(x, y);
      ms[k].push((performance.now() - t0) / steps);
    }
  }
  port.postMessage(ms);
}

void main();
