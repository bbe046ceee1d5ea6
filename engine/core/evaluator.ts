// An evaluator scores one architecture. Jobs and results are plain JSON so that the transport
// (in-process, worker thread, another machine) can change without touching strategies or the engine.

import type { Arch, JsonObject, Metrics, CurvePoint } from './types.js';
import type { SearchSpace } from './space.js';
import type { WorkflowConfig } from './workflow.js';

export interface EvalJob {
  trial: number;
  arch: Arch;
  key: string;
  seed: number;
  /** 1 for the first evaluation of this trial, then one more per retry (the engine counts, across sessions). */
  attempt: number;
}

export interface EvalContext {
  signal: AbortSignal;
  /** Intermediate results (per epoch); the engine may abort the job after it (pruning). */
  report(step: number, metrics: Metrics): void;
  /** Facts about the evaluation (the backend it ran on) kept with the trial even when it is stopped early. */
  note?(info: JsonObject): void;
}

export interface EvalResult {
  metrics: Metrics;
  curve?: CurvePoint[];
  info?: JsonObject;
}

export interface Evaluator {
  evaluate(job: EvalJob, ctx: EvalContext): Promise<EvalResult>;
  /**
   * Optional: trains a one-shot strategy's supernet. job.arch is `{ supernet: { id, options } }`;
   * the result's info carries what the strategy needs (for darts: `derived` architectures, `alphas`
   * per epoch); its metrics are supernet_* (never the objective), its curve the per-epoch progress.
   */
  supernet?(job: EvalJob, ctx: EvalContext): Promise<EvalResult>;
  /**
   * Optional: what is known of a candidate before evaluating it (params, flops, latency), synchronously.
   * The engine uses it for hard constraints; metrics it lacks are measured on the built model.
   */
  measure?(job: { arch: Arch; key: string }): Metrics;
  close(): Promise<void>;
}

export interface EvaluatorContext {
  workflow: WorkflowConfig;
  space: SearchSpace;
  /** The run being evaluated and its store (evaluators that keep files next to the store, e.g. trained models). */
  run?: { id: number; storePath: string; stage?: string };
}

export interface EvaluatorDefinition<O = JsonObject> {
  type: string;
  description: string;
  /** JSON Schema of the options beside `type` in `evaluation:`. Path-valued strings carry `"x-path": "file"`. */
  optionsSchema: Record<string, unknown>;
  /** The metric names it reports, so validation can check the objective names one of them. */
  metrics(options: O): string[];
  /** True when it works on the workflow's `dataset:` (training, proxies); validation then requires one. */
  needsDataset?: boolean;
  /**
   * The cell ops it can evaluate (a benchmark table: the ops of its architectures), so validation
   * refuses others; absent: whatever the cell model builder builds.
   */
  cellOps?(options: O): string[] | undefined;
  /** True when its evaluators implement supernet() (strategies such as darts see it as ctx.capabilities.supernet). */
  supernet?: boolean;
  create(options: O, ctx: EvaluatorContext): Promise<Evaluator>;
}
