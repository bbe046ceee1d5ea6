// The coordinator side of `executor: { type: redis }`: an Evaluator that sends each trial attempt as a
// BullMQ job and waits for its result, so the engine loop (retries, budget, store) stays as it is.
//
// Results come back by two ways, either enough: QueueEvents (completed / failed / progress, low
// latency) and a poll of every pending job's state every POLL_MS (covers events missed while Redis
// or this process was away). The first answer settles an attempt; later deliveries of the same result
// are ignored. A job missing from Redis (a restarted Redis without persistence) is queued again.

import { hostname } from 'node:os';
import { createHash, randomUUID } from 'node:crypto';
import { Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { TrialError, errorMessage } from '../../core/errors.js';
import type { WorkflowConfig } from '../../core/workflow.js';
import type { EvalContext, EvalJob, EvalResult, Evaluator } from '../../core/evaluator.js';
import { connect, executorUrl, probeRedis, redactUrl } from './connection.js';
import { describeData, uploadData } from './dataset.js';
import { CANCEL_TTL_S, cancelKey, jobIdOf } from './keys.js';
import { parseResult, PAYLOAD_VERSION, type RemoteJob, type RemoteResult, type RemoteWorkflow } from './payload.js';

const POLL_MS = 1000;
/** Finished jobs stay in Redis this long, so a coordinator resumed within it finds their results. */
const KEEP_S = 7 * 24 * 3600;

export interface RemoteRun {
  id: number;
  storePath: string;
  stage?: string;
  /** When the run was created (ms): with host, store and id, it names the run uniquely on a shared queue. */
  createdAt?: number;
}

interface Pending {
  settle(r: RemoteResult): void;
  fail(e: Error): void;
  report(step: number, metrics: Record<string, number>): void;
  payload: RemoteJob;
}

/** The run token: jobs of different runs never share an id, even on one queue and with equal run ids. */
export function runToken(run: RemoteRun | undefined): string {
  if (!run || run.storePath === ':memory:' || run.createdAt === undefined) return randomUUID().slice(0, 16);
  const h = createHash('sha256')
    .update([hostname(), run.storePath, run.id, run.createdAt].join('\0'))
    .digest('hex')
    .slice(0, 16);
  return run.stage ? `${h}-${run.stage}` : h;
}

export class RemoteEvaluator implements Evaluator {
  readonly queueName: string;
  readonly token: string;
  private readonly url: string;
  private readonly workflow: RemoteWorkflow;
  private readonly pending = new Map<string, Pending>();
  private ready: Promise<void> | undefined;
  private queue: Queue | undefined;
  private events: QueueEvents | undefined;
  private redis: Redis | undefined;
  /** Every client this evaluator opened: BullMQ leaves connections it was given open on close(). */
  private readonly clients: Redis[] = [];
  private poller: NodeJS.Timeout | undefined;
  private closed = false;
  /** Cancel marks being written: close() waits for them, or a stopped run would leave its trials running. */
  private readonly cancelling = new Set<Promise<void>>();

  constructor(wf: WorkflowConfig, run?: RemoteRun) {
    const x = wf.executor;
    if (!x || x.type !== 'redis') throw new TypeError('RemoteEvaluator needs executor type redis');
    this.url = executorUrl(x);
    this.queueName = x.queue;
    this.token = runToken(run);
    this.workflow = {
      name: wf.name,
      seed: wf.seed,
      objective: wf.objective,
      space: wf.space,
      evaluation: wf.evaluation,
      ...(wf.dataset ? { dataset: describeData(wf.dataset) } : {}),
    };
  }

  /** Connects (failing fast when Redis is unreachable) and uploads the dataset; called before the first job. */
  start(): Promise<void> {
    this.ready ??= this.open();
    return this.ready;
  }

  private async open(): Promise<void> {
    await probeRedis(this.url, 'executor');
    const client = () => {
      const c = connect(this.url);
      this.clients.push(c);
      return c;
    };
    this.redis = client();
    this.queue = new Queue(this.queueName, { connection: client() });
    this.queue.on('error', () => undefined);
    this.events = new QueueEvents(this.queueName, { connection: client() });
    this.events.on('error', () => undefined);
    this.events.on('completed', ({ jobId, returnvalue }) => this.deliver(jobId, returnvalue));
    this.events.on('failed', ({ jobId, failedReason }) =>
      this.pending.get(jobId)?.fail(new TrialError(`remote job failed: ${failedReason}`, true)),
    );
    this.events.on('progress', ({ jobId, data }) => {
      const p = this.pending.get(jobId);
      const d = data as { step?: unknown; metrics?: unknown };
      if (p && typeof d?.step === 'number' && d.metrics && typeof d.metrics === 'object')
        p.report(d.step, d.metrics as Record<string, number>);
    });
    await this.events.waitUntilReady();
    if (this.workflow.dataset) await uploadData(this.redis, this.workflow.dataset);
    this.poller = setInterval(() => void this.poll(), POLL_MS);
    this.poller.unref();
  }

  evaluate(job: EvalJob, ctx: EvalContext): Promise<EvalResult> {
    return this.submit('evaluate', job, ctx);
  }

  supernet(job: EvalJob, ctx: EvalContext): Promise<EvalResult> {
    return this.submit('supernet', job, ctx);
  }

  private async submit(kind: RemoteJob['kind'], job: EvalJob, ctx: EvalContext): Promise<EvalResult> {
    await this.start();
    const id = jobIdOf(this.token, job.trial, job.seed);
    const payload: RemoteJob = {
      v: PAYLOAD_VERSION,
      run: this.token,
      kind,
      workflow: this.workflow,
      job: {
        trial: job.trial,
        arch: job.arch,
        key: job.key,
        seed: job.seed,
        attempt: job.attempt,
      },
    };
    let lastStep = -Infinity;
    const result = new Promise<RemoteResult>((resolve, reject) => {
      // settled means gone from `pending`: the poller must not queue again a job this session cancelled
      this.pending.set(id, {
        payload,
        settle: (r) => {
          this.pending.delete(id);
          resolve(r);
        },
        fail: (e) => {
          this.pending.delete(id);
          reject(e);
        },
        // a retried job replays its epochs: report each step once, in order
        report: (step, metrics) => {
          if (step <= lastStep) return;
          lastStep = step;
          ctx.report(step, metrics);
        },
      });
    });
    const onAbort = () => {
      this.pending.get(id)?.fail(new TrialError('cancelled', false));
      const c = this.cancel(id).finally(() => this.cancelling.delete(c));
      this.cancelling.add(c);
    };
    try {
      if (ctx.signal.aborted) throw new TrialError('cancelled', false);
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      await this.enqueue(id, payload);
      await this.check(id);
      const r = await result;
      if (!r.ok) throw new TrialError(`${r.error} (worker ${r.worker})`, r.retryable);
      return {
        metrics: r.metrics,
        ...(r.curve ? { curve: r.curve } : {}),
        info: { ...r.info, worker: r.worker, job: id },
      };
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      this.pending.delete(id);
      result.catch(() => undefined);
    }
  }

  /** Adds the job unless Redis holds one under its id already (then BullMQ keeps the existing one). */
  private async enqueue(id: string, payload: RemoteJob): Promise<void> {
    if (this.workflow.dataset) await uploadData(this.redis!, this.workflow.dataset);
    await this.redis!.del(cancelKey(this.queueName, id)); // this session wants it run
    await this.queue!.add('trial', payload, {
      jobId: id,
      attempts: 1,
      removeOnComplete: { age: KEEP_S },
      removeOnFail: { age: KEEP_S },
    });
  }

  private deliver(id: string, value: unknown): void {
    const p = this.pending.get(id);
    if (!p) return; // not ours, or settled already: a repeated delivery changes nothing
    let r: RemoteResult;
    try {
      r = parseResult(value);
    } catch (e) {
      return p.fail(e as Error);
    }
    // stopped by an earlier session of this run (Ctrl-C, then resume): run it again
    if (!r.ok && r.cancelled) return void this.requeue(id);
    p.settle(r);
  }

  private async requeue(id: string): Promise<void> {
    const p = this.pending.get(id);
    if (!p) return;
    try {
      await (await Job.fromId(this.queue!, id))?.remove();
      await this.enqueue(id, p.payload);
    } catch (e) {
      p.fail(new TrialError(`could not queue the trial again: ${errorMessage(e)}`, true));
    }
  }

  /** Looks a job up: settles it when it finished, re-adds it when Redis lost it. */
  private async check(id: string): Promise<void> {
    const p = this.pending.get(id);
    if (!p || !this.queue) return;
    const j = await Job.fromId(this.queue, id);
    if (!j) {
      if (this.pending.has(id)) await this.enqueue(id, p.payload);
      return;
    }
    if (j.finishedOn && j.failedReason) p.fail(new TrialError(`remote job failed: ${j.failedReason}`, true));
    else if (j.finishedOn) this.deliver(id, j.returnvalue);
  }

  private polling = false;
  private async poll(): Promise<void> {
    if (this.polling || this.closed) return;
    this.polling = true;
    try {
      for (const id of [...this.pending.keys()]) await this.check(id);
    } catch {
      // Redis unreachable: the next poll tries again, the clients reconnect meanwhile
    } finally {
      this.polling = false;
    }
  }

  /** Asks workers to stop the job (they poll the mark), and drops it if no worker has taken it yet. */
  private async cancel(id: string): Promise<void> {
    try {
      await this.redis!.set(cancelKey(this.queueName, id), '1', 'EX', CANCEL_TTL_S);
      const j = await Job.fromId(this.queue!, id);
      if (j && (await j.getState()) === 'waiting') await j.remove().catch(() => undefined);
    } catch {
      // best effort: a worker that never sees the mark finishes the job, whose result is then ignored
    }
  }

  describe(): string {
    return `queue ${this.queueName} on ${redactUrl(this.url)}`;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.poller) clearInterval(this.poller);
    for (const p of this.pending.values()) p.fail(new TrialError('the executor closed', true));
    await Promise.race([Promise.allSettled([...this.cancelling]), new Promise((r) => setTimeout(r, 5000).unref())]);
    await Promise.allSettled([this.events?.close(), this.queue?.close()]);
    for (const c of this.clients) c.disconnect();
  }
}
