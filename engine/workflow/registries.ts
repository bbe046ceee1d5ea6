// What the workflow schema and checks need from the strategy and evaluator registries. Kept minimal so
// tests can pass their own entries; the defaults are the live registries (filled as modules register).

import type { JsonObject } from '../core/types.js';
import { STRATEGIES } from '../../strategies/index.js';
import { EVALUATORS } from '../evaluation/index.js';

export interface StrategyEntry {
  type: string;
  description: string;
  optionsSchema: object;
}

export interface EvaluatorEntry {
  type: string;
  description: string;
  optionsSchema: Record<string, unknown>;
  metrics(options: JsonObject): string[];
  /** True when it works on the workflow's `dataset:` (training, proxies). */
  needsDataset?: boolean;
  /** The cell ops it can evaluate (a benchmark: its table's); absent: what the model builder builds. */
  cellOps?(options: JsonObject): string[] | undefined;
}

export interface Registries {
  strategies: readonly StrategyEntry[];
  evaluators: readonly EvaluatorEntry[];
}

export function defaultRegistries(): Registries {
  return { strategies: STRATEGIES, evaluators: EVALUATORS };
}
