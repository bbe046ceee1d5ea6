// The validated, defaulted workflow as the rest of the engine sees it. Paths are already absolute.

import type { TaskKind } from './task.js';
import type { Json, JsonObject, Objective } from './types.js';

export interface CellSpaceConfig {
  kind: 'cell';
  /** `nb201`: 4 nodes, ops none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3. */
  preset?: 'nb201';
  nodes: number; // >= 2; edges i->j for every i < j
  ops: string[];
  /** How a cell becomes a network when trained (ignored by table evaluators). */
  skeleton?: { channels: number; cells: number; stages: number };
}

/** Choices per parameter of one layer type, e.g. { filters: [16, 32], kernel: [3, 5] }. */
export type LayerChoices = Record<string, Json[]>;

export interface ChainSpaceConfig {
  kind: 'chain';
  input: number[]; // e.g. [28, 28, 1], [64], [steps, features] or, with tokens, [length]
  /** The input is token ids [length] (a text dataset): only an embedding reads it. Set from a text dataset when absent. */
  tokens?: boolean;
  layers: {
    min: number;
    max: number;
    /** Layer type -> choices for its parameters (defaults filled in per type). */
    choose: Record<string, LayerChoices>;
  };
  /** Searchable hyperparameters, e.g. { learning_rate: [0.001, 0.003], batch_size: [32, 64] }. */
  hyper: Record<string, Json[]>;
}

export type SpaceConfig = CellSpaceConfig | ChainSpaceConfig;

/** How raw text becomes token ids (engine/training/datasets/tokenizer.ts). */
export interface TokenizerConfig {
  level: 'word' | 'char';
  /** Kept tokens, padding (id 0) and out-of-vocabulary (id 1) included. */
  vocab: number;
  /** Token ids per sample: longer texts are cut, shorter ones padded with 0. */
  length: number;
  lowercase: boolean;
  /** Word level: each punctuation mark or symbol is a token too ("$", "!", "<"), not a separator. */
  punctuation: boolean;
  /** Which `length` tokens a longer text keeps: its first (the default) or its last. */
  keep: 'first' | 'last';
}

export interface DatasetConfig {
  /** builtin:mnist|digits|iris|wine|spam|diabetes, csv:ABSPATH, idx:ABSPATH, json:ABSPATH */
  source: string;
  label: string;
  /** A csv column of raw text (text datasets; builtin:spam sets it). */
  text?: string;
  /** Text datasets: the tokenizer's settings (defaults filled in). */
  tokenizer?: TokenizerConfig;
  /** Classification or regression; absent: inferred from the label column (see inferTask). */
  task?: TaskKind;
  /** Id-like columns (user, item, genre) learned as per-column embeddings, concatenated with the numeric features. */
  categorical?: string[];
  limit?: number;
  /**
   * Fractions of the whole dataset. `test` rows are held out: never in a training or validation batch
   * of the search; the top trials are evaluated once on them at the end.
   */
  split: { validation: number; test?: number };
}

export interface BudgetConfig {
  trials?: number;
  /** Seconds of wall time over the whole run (resumes included). */
  time?: number;
  /** A stage's own time budget: seconds of wall time searching in that stage (resumes included). */
  stageTime?: number;
  /** Failed trials tolerated before the run stops as failed. */
  failures: number;
}

export interface MetaConfig {
  from: string[]; // absolute paths of stores or knowledge files
  learn: ('space' | 'strategy' | 'evaluation')[];
  /** Best-known architectures handed to the strategy as its warm start (default 20). */
  top_k?: number;
  /** Fraction of each source run's trials that count as its best, for priors and pruning (default 0.1). */
  top_fraction?: number;
  /** How source tasks are weighted: by task meta-features (default) or all alike. */
  similarity?: 'features' | 'uniform';
  /** Source tasks less similar than this are ignored (default 0). */
  min_similarity?: number;
  /** Weight of the learned choice distribution against uniform sampling, 0..1 (default 0.8). */
  prior_strength?: number;
  /** Remove the choices never among the best of the sources from the space the strategy sees (default false). */
  prune_ops?: boolean;
  /** learn: evaluation: evaluate only candidates the predictor places in this top fraction (default 0.5; 1 = off). */
  screen?: number;
  /** Multi-stage source runs: learn from the final stage (default, the run's result) or from every stage. */
  stages?: 'final' | 'all';
}

export interface StrategyConfig extends JsonObject {
  type: string;
}
export interface EvaluationConfig extends JsonObject {
  type: string;
}

export interface Constraint {
  min?: number;
  max?: number;
}

/** One stage of a multi-stage workflow, its sections already merged over the workflow's. */
export interface StageConfig {
  name: string;
  /** Seed it with the `top` best complete trials of an earlier stage (evaluated first). */
  from?: { stage: string; top: number };
  objective: Objective;
  objectives?: Objective[];
  space: SpaceConfig;
  strategy: StrategyConfig;
  evaluation: EvaluationConfig;
  budget: BudgetConfig;
}

/** Where trials run: the local pool, or a BullMQ queue on Redis (url given, or read from url_env at run time). */
export type ExecutorConfig = { type: 'local' } | { type: 'redis'; url?: string; url_env?: string; queue: string };

export interface WorkflowConfig {
  name: string;
  seed: number;
  /** The primary objective (the first when there are several). */
  objective: Objective;
  /** All objectives when the workflow lists several (multi-objective: Pareto front); absent otherwise. */
  objectives?: Objective[];
  /** Multi-stage workflows: the stages in order (absent: one search). */
  stages?: StageConfig[];
  /** Other workflow files this one extends (absolute), nearest first. */
  extends?: string[];
  constraints: Record<string, Constraint>;
  dataset?: DatasetConfig;
  space: SpaceConfig;
  /** Set when the workflow left `space` out: the kind of input whose default space it got. */
  defaultSpace?: 'image' | 'audio' | 'table' | 'categorical-table' | 'tokens';
  strategy: StrategyConfig;
  evaluation: EvaluationConfig;
  budget: BudgetConfig;
  /** Trials evaluated at once. */
  parallel: number;
  /** Retries of a failed trial before it counts as failed. */
  retries: number;
  /** How trials are scheduled (engine/search/schedule.ts); absent in runs stored before it existed (eager). */
  schedule?: 'reproducible' | 'eager';
  meta?: MetaConfig;
  /** Where trials run (absent: local). */
  executor?: ExecutorConfig;
  /** Where it came from: the file, its directory (paths are relative to it), its text and hash. */
  source: { file: string; dir: string; text: string; hash: string };
}
