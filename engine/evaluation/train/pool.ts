// The worker pool of the `train` evaluator: piscina threads kept warm, each with its backend and
// datasets loaded once. Per job: a SharedArrayBuffer cancel flag (cooperative stop after the current
// batch), a MessagePort for per-epoch progress, and a hard fallback that terminates the worker when
// it has not stopped `graceMs` after being asked. Piscina has no max-tasks-per-worker option, so the
// pool recycles itself: after `recycleAfter` tasks per thread, new jobs go to a fresh piscina instance
// and the old one is closed once its running tasks end (tfjs-layers keeps global name maps that grow).

import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { FatalError, TrialError } from '../../core/errors.js';
import type { BackendChoice } from '../../training/backend.js';
import { TRAIN_DEFAULTS } from './options.js';
import type {
  ErrorResult,
  MemoryResult,
  ProgressMessage,
  SupernetJob,
  SupernetResult,
  TrainJob,
  TrainResult,
} from './protocol.js';

const WORKER = new URL('./worker.js', import.meta.url).href;

export interface PoolOptions {
  threads: number;
  /** Tasks per worker thread before the pool is replaced (0: never). */
  recycleAfter?: number;
  /** How long a worker may take to stop after cancellation before it is terminated. */
  graceMs?: number;
  /** Extra environment for the workers (tests). */
  env?: Record<string, string>;
}

export interface RunHooks {
  signal?: AbortSignal;
  onProgress?(p: ProgressMessage): void;
}

export class TrainPool {
  readonly threads: number;
  private readonly recycleAfter: number;
  private readonly graceMs: number;
  private pool: Piscina;
  private submitted = 0;
  private readonly retiring = new Set<Promise<void>>();
  private generationCount = 1;
  private closed = false;

  constructor(private readonly options: PoolOptions) {
    this.threads = Math.max(1, Math.floor(options.threads));
    this.recycleAfter = options.recycleAfter ?? TRAIN_DEFAULTS.recycle_after;
    this.graceMs = options.graceMs ?? TRAIN_DEFAULTS.cancel_grace * 1000;
    this.pool = this.make();
  }

  /** How many piscina instances this pool has used (1 + recycles). */
  get generations(): number {
    return this.generationCount;
  }

  private make(): Piscina {
    return new Piscina({
      filename: WORKER,
      minThreads: this.threads,
      maxThreads: this.threads,
      idleTimeout: 24 * 3600 * 1000,
      // a worker blocked in a long kernel must not make close() wait forever
      closeTimeout: 30_000,
      ...(this.options.env ? { env: { ...process.env, ...this.options.env } as Record<string, string> } : {}),
    });
  }

  private current(): Piscina {
    if (this.closed) throw new FatalError('the training pool is closed');
    if (this.recycleAfter > 0 && this.submitted >= this.recycleAfter * this.threads) {
      const old = this.pool;
      this.pool = this.make();
      this.submitted = 0;
      this.generationCount++;
      const p: Promise<void> = old
        .close()
        .catch(() => undefined)
        .finally(() => this.retiring.delete(p));
      this.retiring.add(p);
    }
    this.submitted++;
    return this.pool;
  }

  async memory(backend: BackendChoice): Promise<MemoryResult> {
    const r = (await this.current().run({ type: 'memory', backend })) as MemoryResult | ErrorResult;
    if (r.type === 'error') throw toError(r);
    return r;
  }

  /** Runs one training job. Resolves with the worker's result (cancelled: true when it stopped early); rejects with TrialError/FatalError. */
  train(job: Omit<TrainJob, 'cancel' | 'progress'>, hooks: RunHooks = {}): Promise<TrainResult> {
    return this.exec<TrainResult>(job, hooks);
  }

  /** Runs one DARTS supernet search (a darts strategy's supernet trial), like a training job. */
  supernet(job: Omit<SupernetJob, 'cancel' | 'progress'>, hooks: RunHooks = {}): Promise<SupernetResult> {
    return this.exec<SupernetResult>(job, hooks);
  }

  private async exec<R extends TrainResult | SupernetResult>(
    job: Omit<TrainJob, 'cancel' | 'progress'> | Omit<SupernetJob, 'cancel' | 'progress'>,
    hooks: RunHooks,
  ): Promise<R> {
    const pool = this.current();
    const cancel = new Int32Array(new SharedArrayBuffer(4));
    const { port1, port2 } = new MessageChannel();
    let received = 0;
    let done = false;
    let drained: (() => void) | undefined;
    let expected = Infinity;
    port1.on('message', (m: ProgressMessage) => {
      received++;
      if (!done || drained) hooks.onProgress?.(m);
      if (drained && received >= expected) drained();
    });
    const hard = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      Atomics.store(cancel, 0, 1);
      timer ??= setTimeout(() => hard.abort(new Error('did not stop in time')), this.graceMs);
    };
    if (hooks.signal?.aborted) onAbort();
    hooks.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      let r: R | ErrorResult;
      try {
        r = (await pool.run({ ...job, cancel, progress: port2 }, { transferList: [port2], signal: hard.signal })) as
          R | ErrorResult;
      } catch (e) {
        if (hard.signal.aborted) {
          throw new TrialError(
            `the worker did not stop within ${this.graceMs} ms of being cancelled and was terminated`,
          );
        }
        const msg = e instanceof Error ? e.message : String(e);
        // a worker that exits or crashes (out of memory, native fault, process.exit) fails only this attempt
        throw new TrialError(`training worker failed: ${msg}`, true, { cause: e });
      }
      if (r.type === 'error') throw toError(r);
      // progress and result travel on different ports: deliver the epochs still in flight first
      if (received < r.curve.length) {
        expected = r.curve.length;
        await new Promise<void>((resolve) => {
          drained = resolve;
          setTimeout(resolve, 200);
        });
      }
      return r;
    } finally {
      done = true;
      drained = undefined;
      if (timer) clearTimeout(timer);
      hooks.signal?.removeEventListener('abort', onAbort);
      port1.close();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([this.pool.close(), ...this.retiring]);
  }
}

function toError(r: ErrorResult): Error {
  if (r.kind === 'fatal') return new FatalError(r.message);
  return new TrialError(r.message, r.retryable);
}
