// A pool worker (piscina). It initialises its tensor backend once and caches datasets (per source,
// in core.ts), then trains the candidates it is sent. Cancellation is cooperative: the main thread
// sets job.cancel[0] and training stops after the current batch.

import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendChoice, type BackendName } from '../../training/backend.js';
import { trainCandidate } from './core.js';
import { FatalError, TrialError } from '../../core/errors.js';
import type {
  ErrorResult,
  MemoryResult,
  PoolJob,
  ProgressMessage,
  SupernetJob,
  SupernetResult,
  TrainJob,
  TrainResult,
} from './protocol.js';
import { runSupernetJob } from '../../training/darts/job.js';
import { controllerPolicy } from '../../../strategies/lib/path-policy.js';

let backend: Promise<BackendName> | undefined;
let backendChoice: BackendChoice | undefined;
/** How 'auto' fell back (tfjs-node did not load), sent once with this worker's first training result. */
let backendNote: string | undefined;
let tasks = 0;

function ensureBackend(choice: BackendChoice): Promise<BackendName> {
  if (!backend || backendChoice !== choice) {
    backendChoice = choice;
    // a backend that cannot load will not load on a retry either: the run stops with a clear message
    backend = initBackend(choice, (line) => (backendNote = line)).catch((e: unknown) => {
      throw new FatalError(`training backend: ${e instanceof Error ? e.message : String(e)}`);
    });
  }
  return backend;
}

/** Fault injection for tests only: NAS_TEST_CRASH_TRIAL=N makes the first attempt of trial N exit mid-training. */
function crashHook(job: TrainJob): ((epoch: number, batch: number) => void) | undefined {
  const n = Number(process.env.NAS_TEST_CRASH_TRIAL);
  if (!Number.isInteger(n) || n !== job.trial || job.attempt !== 1) return undefined;
  return (_epoch, batch) => {
    if (batch >= 1) process.exit(3);
  };
}

async function train(job: TrainJob): Promise<TrainResult> {
  const name = await ensureBackend(job.backend);
  const flag = job.cancel;
  const port = job.progress;
  try {
    const onBatch = crashHook(job);
    const result = await trainCandidate(job, name, {
      cancelled: () => (flag ? Atomics.load(flag, 0) !== 0 : false),
      onEpoch: (epoch, metrics) => port?.postMessage({ epoch, metrics } satisfies ProgressMessage),
      ...(onBatch ? { onBatch } : {}),
    });
    const note = backendNote;
    backendNote = undefined;
    return note ? { ...result, backendNote: note } : result;
  } finally {
    port?.close();
  }
}

/** A DARTS supernet search (engine/training/darts), with the same cancel flag and progress port. */
async function supernet(job: SupernetJob): Promise<SupernetResult> {
  const name = await ensureBackend(job.backend);
  const flag = job.cancel;
  const port = job.progress;
  try {
    return await runSupernetJob(job, name, {
      cancelled: () => (flag ? Atomics.load(flag, 0) !== 0 : false),
      onEpoch: (epoch, metrics) => port?.postMessage({ epoch, metrics } satisfies ProgressMessage),
      policy: controllerPolicy,
    });
  } finally {
    port?.close();
  }
}

export default async function run(job: PoolJob): Promise<TrainResult | MemoryResult | SupernetResult | ErrorResult> {
  tasks++;
  try {
    return await dispatch(job);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (e instanceof TrialError) return { type: 'error', message, kind: 'trial', retryable: e.retryable };
    if (e instanceof FatalError) return { type: 'error', message, kind: 'fatal', retryable: false };
    // thrown by the job itself (data, shapes, parsing): the same job fails the same way, so no retry;
    // a worker that dies is a crash, seen by the pool, and retried there
    return { type: 'error', message, kind: 'other', retryable: false };
  }
}

async function dispatch(job: PoolJob): Promise<TrainResult | MemoryResult | SupernetResult> {
  if (job.type === 'supernet') return supernet(job);
  if (job.type === 'memory') {
    const name = await ensureBackend(job.backend);
    const m = tf.memory();
    return { type: 'memory', numTensors: m.numTensors, numBytes: m.numBytes, backend: name, tasks };
  }
  return train(job);
}
