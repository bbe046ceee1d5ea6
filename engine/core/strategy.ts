// A strategy is a pure, seeded ask/tell state machine. It never touches threads, files or timers:
// the engine owns concurrency, budget, persistence and retries.

import type { JSONSchemaType } from 'ajv';
import type { Arch, Json, JsonObject, Objective, TrialRecord } from './types.js';
import type { SearchSpace } from './space.js';

export type Ask = { arch: Arch; info?: JsonObject } | { wait: true } | { done: true } | SupernetAsk;

/**
 * A one-shot strategy (darts) asks the engine to train a supernet: the engine runs it as one trial of
 * the run (key `supernet:<id>`, arch `{ supernet: request }`, info.job = 'supernet') through the
 * evaluator's `supernet` method, stores it like any trial, and tells the strategy the record, whose
 * info carries the alphas per epoch and the derived architectures. Only asked when
 * ctx.capabilities.supernet is true.
 */
export type SupernetAsk = {
  /** method: absent for DARTS, 'enas' or 'spos' for the single-path searches. */
  supernet: { id: string; method?: string; options: JsonObject };
  info?: JsonObject;
};

export interface Strategy {
  /** Next candidate; `wait` when it needs results of trials in flight first; `done` when it has nothing more. */
  ask(): Ask;
  /** The result of a candidate it proposed (complete, pruned or failed). Also called for a proposal whose
   *  key was evaluated before: the engine passes the earlier record instead of evaluating it again. */
  tell(trial: TrialRecord): void;
  snapshot(): Json;
  restore(state: Json): void;
}

export interface StrategyContext {
  space: SearchSpace;
  seed: number;
  objective: Objective;
  /** All objectives of a multi-objective search (the first is `objective`); absent for one objective. */
  objectives?: Objective[];
  /** The trial budget, when there is one (some strategies size their schedule by it). */
  budgetTrials?: number;
  /** Knowledge handed over by meta-learning or an earlier stage (optional for every strategy). */
  warmStart?: WarmStart;
  /** What the run's evaluator can do beyond evaluating architectures (set by the engine). */
  capabilities?: { supernet?: boolean };
}

export interface WarmStart {
  /** Architectures known to be good, best first. */
  archs?: Arch[];
  /** Earlier results (arch + metrics) a model-based strategy may use as observations. */
  observations?: { arch: Arch; score: number }[];
  /** Sampling priors per decision name. */
  priors?: Record<string, readonly number[]>;
}

export interface StrategyDefinition<O = JsonObject> {
  type: string;
  description: string;
  /** JSON Schema of the options beside `type` in `strategy:` (draft-07, additionalProperties: false). */
  optionsSchema: JSONSchemaType<O> | Record<string, unknown>;
  create(options: O, ctx: StrategyContext): Strategy;
}
