// The worker side of the Redis executor (`nas worker`): a BullMQ Worker taking `threads` jobs at a time
// and running each with the evaluator its payload names, as the coordinator would locally: `train`
// jobs go to one piscina pool of `threads` threads shared by every run this worker serves.
//
// Cancellation: the coordinator sets a per-job mark (keys.ts); the worker polls the marks of its active
// jobs every CANCEL_POLL_MS and aborts the evaluation, which for `train` stops after the current batch.
// A job whose worker dies is retried by another worker once BullMQ sees its lock expire (`lockMs`).

import { createHash } from 'node:crypto';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { FatalError, TrialError, errorMessage } from '../../core/errors.js';
import { createSpace } from '../../space/index.js';
import type { WorkflowConfig } from '../../core/workflow.js';
import { getEvaluator } from '../index.js';
import type { TrainPool } from '../train/pool.js';
import type { Evaluator } from '../../core/evaluator.js';
import { connect, probeRedis } from './connection.js';
import { localData } from './dataset.js';
import { cancelKey } from './keys.js';
import { parseJob, type RemoteJob, type RemoteResult } from './payload.js';

const CANCEL_POLL_MS = 250;
/** Evaluators kept for the runs this worker served last (each holds a benchmark table or data settings). */
const MAX_EVALUATORS = 4;

export interface WorkerOptions {
  url: string;
  queue: string;
  /** Jobs at once (and threads of the training pool). */
  threads: number;
  /** How long a job's lock lives without renewal: a dead worker's job is retried after about this long. */
  lockMs?: number;
  /** Where fetched dataset files are cached. */
  cacheDir?: string;
  name?: string;
  /** One line per event (job started, finished, cancelled); stderr in `nas worker`. */
  log?: (line: string) => void;
}

interface Entry {
  evaluator: Promise<Evaluator>;
  users: number;
  used: number;
}

export class RemoteWorker {
  readonly name: string;
  private readonly log: (line: string) => void;
  private readonly evaluators = new Map<string, Entry>();
  private readonly active = new Map<string, AbortController>();
  private pool: Promise<TrainPool> | undefined;
  private worker: Worker | undefined;
  private redis: Redis | undefined;
  /** Every client this worker opened: BullMQ leaves connections it was given open on close(). */
  private readonly clients: Redis[] = [];
  private poller: NodeJS.Timeout | undefined;

  constructor(private readonly o: WorkerOptions) {
    this.name = o.name ?? `${hostname()}:${process.pid}`;
    this.log = o.log ?? (() => undefined);
  }

  async start(): Promise<void> {
    await probeRedis(this.o.url, 'nas worker --redis');
    const client = () => {
      const c = connect(this.o.url);
      this.clients.push(c);
      return c;
    };
    this.redis = client();
    const lock = this.o.lockMs ?? 30_000;
    this.worker = new Worker(this.o.queue, (job) => this.process(job), {
      connection: client(),
      concurrency: this.o.threads,
      lockDuration: lock,
      stalledInterval: Math.max(1000, Math.round(lock / 2)),
      maxStalledCount: 2,
    });
    this.worker.on('error', (e) => this.log(`redis: ${errorMessage(e)}`));
    await this.worker.waitUntilReady();
    this.poller = setInterval(() => void this.pollCancels(), CANCEL_POLL_MS);
  }

  private async process(job: Job): Promise<RemoteResult> {
    const started = Date.now();
    let payload: RemoteJob;
    try {
      payload = parseJob(job.data);
    } catch (e) {
      this.log(`job ${job.id} rejected: ${errorMessage(e)}`);
      return { ok: false, error: errorMessage(e), retryable: false, worker: this.name };
    }
    const { trial, key } = payload.job;
    const queued = started - job.timestamp;
    this.log(`job ${job.id} trial ${trial} key ${key} started (queued ${queued} ms, attempt ${job.attemptsStarted})`);
    const controller = new AbortController();
    this.active.set(job.id!, controller);
    try {
      if (await this.redis!.exists(cancelKey(this.o.queue, job.id!))) controller.abort();
      const entry = this.entry(payload);
      entry.users++;
      try {
        const evaluator = await entry.evaluator;
        const run =
          payload.kind === 'supernet' ? evaluator.supernet?.bind(evaluator) : evaluator.evaluate.bind(evaluator);
        if (!run)
          throw new TrialError(`evaluation type "${payload.workflow.evaluation.type}" cannot run a supernet`, false);
        const r = await run(payload.job, {
          signal: controller.signal,
          report: (step, metrics) => void job.updateProgress({ step, metrics }).catch(() => undefined),
        });
        if (controller.signal.aborted) throw new TrialError('cancelled', false);
        this.log(`job ${job.id} trial ${trial} finished in ${Date.now() - started} ms`);
        return {
          ok: true,
          metrics: r.metrics,
          ...(r.curve ? { curve: r.curve } : {}),
          info: { ...r.info, queue: { queued_ms: queued, attempt: job.attemptsStarted, stalled: job.stalledCounter } },
          worker: this.name,
        };
      } finally {
        entry.users--;
      }
    } catch (e) {
      const cancelled = controller.signal.aborted;
      this.log(`job ${job.id} trial ${trial} ${cancelled ? 'cancelled' : `failed: ${errorMessage(e)}`}`);
      if (cancelled) return { ok: false, error: 'cancelled', retryable: false, cancelled: true, worker: this.name };
      const retryable = !(e instanceof FatalError) && (!(e instanceof TrialError) || e.retryable);
      return { ok: false, error: errorMessage(e), retryable, worker: this.name };
    } finally {
      this.active.delete(job.id!);
    }
  }

  /** The evaluator of a job's run (same evaluation, space, data and seed: same evaluator). */
  private entry(p: RemoteJob): Entry {
    const id = createHash('sha256')
      .update(JSON.stringify([p.workflow, p.kind === 'supernet']))
      .digest('hex');
    let e = this.evaluators.get(id);
    if (!e) {
      e = { evaluator: this.create(p), users: 0, used: 0 };
      e.evaluator.catch(() => this.evaluators.delete(id)); // a failed setup is tried again by the next job
      this.evaluators.set(id, e);
      this.evict();
    }
    e.used = Date.now();
    return e;
  }

  private evict(): void {
    const idle = [...this.evaluators.entries()].filter(([, e]) => e.users === 0).sort((a, b) => a[1].used - b[1].used);
    while (this.evaluators.size > MAX_EVALUATORS && idle.length > 0) {
      const [id, e] = idle.shift()!;
      this.evaluators.delete(id);
      void e.evaluator.then((ev) => ev.close()).catch(() => undefined);
    }
  }

  private async create(p: RemoteJob): Promise<Evaluator> {
    const w = p.workflow;
    const def = getEvaluator(w.evaluation.type);
    if (!def)
      throw new TrialError(
        `unknown evaluation type "${w.evaluation.type}" in a job; this worker runs none such`,
        false,
      );
    const dataset = w.dataset
      ? await localData(w.dataset, this.redis!, this.o.cacheDir ?? join(homedir(), '.cache', 'nas', 'datasets'))
      : undefined;
    const workflow = {
      name: w.name,
      seed: w.seed,
      objective: w.objective,
      space: w.space,
      evaluation: w.evaluation,
      ...(dataset ? { dataset } : {}),
      constraints: {},
      strategy: { type: 'random' },
      budget: { failures: 0 },
      parallel: this.o.threads,
      retries: 0,
      source: { file: '(remote)', dir: process.cwd(), text: '', hash: '' },
    } as unknown as WorkflowConfig;
    const { type: _t, ...options } = w.evaluation;
    if (w.evaluation.type === 'train') {
      const { TrainEvaluator } = await import('../train/evaluator.js');
      return new TrainEvaluator({ workflow, options, pool: await this.trainPool() });
    }
    return def.create(options, { workflow, space: createSpace(w.space) });
  }

  private trainPool(): Promise<TrainPool> {
    this.pool ??= import('../train/pool.js').then(({ TrainPool }) => new TrainPool({ threads: this.o.threads }));
    return this.pool;
  }

  private async pollCancels(): Promise<void> {
    const ids = [...this.active.keys()];
    if (ids.length === 0 || !this.redis) return;
    try {
      const marks = await this.redis.mget(ids.map((id) => cancelKey(this.o.queue, id)));
      marks.forEach((m, i) => {
        if (m !== null) this.active.get(ids[i])?.abort();
      });
    } catch {
      // Redis away: the marks are read again on the next poll
    }
  }

  /** Stops taking jobs, lets running ones finish (BullMQ's close waits for them), frees the pool. */
  async close(force = false): Promise<void> {
    if (this.poller) clearInterval(this.poller);
    if (force) for (const c of this.active.values()) c.abort();
    await this.worker?.close(force);
    await Promise.allSettled([...this.evaluators.values()].map((e) => e.evaluator.then((ev) => ev.close())));
    await (await this.pool)?.close();
    for (const c of this.clients) c.disconnect();
  }
}
