// The `train` evaluator: jobs to the worker pool, results and trained models back.

import { createRequire } from 'node:module';
import { FatalError, TrialError } from '../../core/errors.js';
import { deriveSeed } from '../../core/rng.js';
import { metricTask } from '../../core/task.js';
import { objectiveScore, type Json, type JsonObject, type Metrics } from '../../core/types.js';
import type { BackendChoice } from '../../training/backend.js';
import type { WorkflowConfig } from '../../core/workflow.js';
import type { EvalContext, EvalJob, EvalResult, Evaluator } from '../../core/evaluator.js';
import { resolveSettings, TRAIN_DEFAULTS, type TrainOptions } from './options.js';
import { ModelKeeper, modelsDir } from './models.js';
import { TrainPool } from './pool.js';
import type { AnySupernetRequest } from '../../core/supernet.js';

/** Whether tfjs-node can be resolved (then 'auto' picks it, and the pool runs one thread). */
export function tfjsNodeAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

export function threadsFor(backend: BackendChoice, parallel: number): number {
  if (backend === 'tensorflow' || (backend === 'auto' && tfjsNodeAvailable())) return 1;
  return Math.max(1, parallel);
}

export interface TrainEvaluatorConfig {
  workflow: WorkflowConfig;
  options: TrainOptions;
  /** Where trained models are kept (omit: none kept). */
  models?: { storePath: string; runId: number; stage?: string };
  /** Extra worker environment (tests). */
  env?: Record<string, string>;
  /** A pool shared with other evaluators (a `nas worker` serving several runs); not closed by close(). */
  pool?: TrainPool;
}

export class TrainEvaluator implements Evaluator {
  readonly pool: TrainPool;
  private readonly keeper: ModelKeeper | undefined;
  private readonly backend: BackendChoice;

  constructor(private readonly cfg: TrainEvaluatorConfig) {
    const wf = cfg.workflow;
    if (!wf.dataset)
      throw new FatalError(
        'evaluation type "train" needs a dataset: add dataset: { source: builtin:mnist } (or csv:PATH, ...)',
      );
    this.backend = cfg.options.backend ?? TRAIN_DEFAULTS.backend;
    this.pool =
      cfg.pool ??
      new TrainPool({
        threads: threadsFor(this.backend, wf.parallel),
        recycleAfter: cfg.options.recycle_after ?? TRAIN_DEFAULTS.recycle_after,
        graceMs: (cfg.options.cancel_grace ?? TRAIN_DEFAULTS.cancel_grace) * 1000,
        ...(cfg.env ? { env: cfg.env } : {}),
      });
    const keep = cfg.options.keep_models ?? TRAIN_DEFAULTS.keep_models;
    if (cfg.models && cfg.models.storePath !== ':memory:' && keep > 0) {
      this.keeper = new ModelKeeper(modelsDir(cfg.models.storePath, cfg.models.runId, cfg.models.stage), keep);
    }
  }

  async evaluate(job: EvalJob, ctx: EvalContext): Promise<EvalResult> {
    const wf = this.cfg.workflow;
    const settings = resolveSettings(this.cfg.options, job.arch);
    const r = await this.pool.train(
      {
        type: 'train',
        trial: job.trial,
        attempt: job.attempt,
        arch: job.arch,
        key: job.key,
        seed: job.seed,
        space: wf.space,
        dataset: wf.dataset!,
        dataSeed: deriveSeed(wf.seed, 'dataset'),
        backend: this.backend,
        settings,
        returnModel: this.keeper !== undefined,
      },
      { signal: ctx.signal, onProgress: (p) => ctx.report(p.epoch, p.metrics) },
    );
    const wants = metricTask(wf.objective.metric);
    if (wants && wants !== r.data.task) {
      throw new FatalError(
        `objective.metric "${wf.objective.metric}" is a ${wants} metric, but dataset ${wf.dataset!.source} (label "${wf.dataset!.label}") is a ${r.data.task} task; set dataset.task: ${wants} or choose another metric`,
      );
    }
    const note: JsonObject = r.backendNote ? { backend_note: r.backendNote } : {};
    ctx.note?.({ backend: r.backend, seconds: Math.round(r.seconds * 1000) / 1000, ...note });
    if (r.cancelled || ctx.signal.aborted) throw new TrialError(`stopped after ${r.epochs} epoch(s)`);
    const metrics: Metrics = r.metrics;
    const info: JsonObject = {
      backend: r.backend,
      ...note,
      epochs: r.epochs,
      seconds: Math.round(r.seconds * 1000) / 1000,
      train_samples: r.data.train,
      validation_samples: r.data.validation,
      batch_size: settings.batchSize,
    };
    const score = objectiveScore(wf.objective, metrics);
    if (this.keeper && r.model && score !== null && this.keeper.wants(score)) {
      this.keeper.offer(job.trial, score, r.model, {
        workflow: wf.name,
        arch: job.arch,
        key: job.key,
        metrics,
        objective: wf.objective as unknown as JsonObject,
        dataset: wf.dataset as unknown as JsonObject,
        input_shape: r.data.inputShape,
        task: r.data.task,
        class_names: r.data.classNames,
        ...(r.data.targetScaling ? { target_scaling: r.data.targetScaling } : {}),
        ...(r.data.categorical ? { categorical: r.data.categorical } : {}),
        scaling: (r.data.scaling ?? null) as unknown as Json,
        vocabulary: (r.data.vocabulary ?? null) as unknown as Json,
        settings: settings as unknown as JsonObject,
        backend: r.backend,
      });
    }
    return { metrics, curve: r.curve, info };
  }

  /**
   * A darts strategy's supernet trial: the search runs as one pool job on the run's data, with
   * per-epoch progress (supernet losses, alpha entropy). The result's info keeps the alphas of every
   * epoch and the derived architectures the strategy proposes next.
   */
  async supernet(job: EvalJob, ctx: EvalContext): Promise<EvalResult> {
    const wf = this.cfg.workflow;
    const request = (job.arch as { supernet?: AnySupernetRequest } | null)?.supernet;
    if (!request || typeof request.id !== 'string') throw new TrialError('a supernet trial without its request', false);
    const r = await this.pool.supernet(
      {
        type: 'supernet',
        trial: job.trial,
        attempt: job.attempt,
        seed: job.seed,
        request,
        space: wf.space,
        dataset: wf.dataset!,
        dataSeed: deriveSeed(wf.seed, 'dataset'),
        backend: this.backend,
        evalBatchSize: this.cfg.options.eval_batch_size ?? TRAIN_DEFAULTS.eval_batch_size,
      },
      { signal: ctx.signal, onProgress: (p) => ctx.report(p.epoch, p.metrics) },
    );
    if (r.cancelled || ctx.signal.aborted)
      throw new TrialError(`supernet search stopped after ${r.curve.length} epoch(s)`);
    const info: JsonObject = {
      backend: r.backend,
      seconds: Math.round(r.seconds * 1000) / 1000,
      rows: r.rows,
      columns: r.columns,
      alphas: r.alphas as unknown as Json,
      derived_from: r.derivedFrom,
      derived: r.derived,
      stop: r.stop,
      ...(r.scores ? { selection_scores: r.scores } : {}),
      ...(r.wsScores ? { ws_scores: r.wsScores } : {}),
      ...(r.check ? { rank_check: r.check as unknown as Json } : {}),
    };
    return { metrics: r.metrics, curve: r.curve, info };
  }

  close(): Promise<void> {
    return this.cfg.pool ? Promise.resolve() : this.pool.close();
  }
}
