// The train evaluator's options: their types, their defaults (the one home of each default: the schema
// below shows them to ajv and editors, and code that builds options without the schema falls back to
// the same values), and how one candidate's settings are resolved from them and its searched hyperparameters.

import type { Json, JsonObject } from '../../core/types.js';
import { PRUNER_DEFAULTS } from '../../core/pruner.js';
import type { BackendChoice } from '../../training/backend.js';
import type { TrainSettings } from './protocol.js';

export interface EarlyStoppingOptions {
  rule?: 'none' | 'median' | 'asha';
  min_epochs?: number;
  min_trials?: number;
  eta?: number;
}

export interface TrainOptions {
  epochs?: number;
  batch_size?: number;
  optimizer?: string;
  learning_rate?: number;
  weight_decay?: number;
  backend?: BackendChoice;
  fidelity?: { data?: number; epochs?: number };
  early_stopping?: EarlyStoppingOptions;
  recycle_after?: number;
  keep_models?: number;
  head?: 'gap' | 'flatten';
  eval_batch_size?: number;
  cancel_grace?: number;
}

export const TRAIN_DEFAULTS = {
  epochs: 3,
  batch_size: 32,
  optimizer: 'adam',
  learning_rate: 0.001,
  weight_decay: 0,
  backend: 'auto' as BackendChoice,
  // Trials leave ~3 KB of JS heap each in a worker (400 tiny trials measured); a new worker pays
  // V8's warm-up again (~2,500 steps of background compiling), so workers are replaced rarely.
  recycle_after: 500,
  keep_models: 3,
  eval_batch_size: 256,
  cancel_grace: 5,
};

/** Training settings of one candidate: the options, overridden by the hyperparameters its arch searched. */
export function resolveSettings(options: TrainOptions, arch: Json): TrainSettings {
  const hyper = (arch && typeof arch === 'object' && !Array.isArray(arch) && (arch as JsonObject).hyper) as
    JsonObject | undefined;
  const h = (name: string): Json | undefined => (hyper && typeof hyper === 'object' ? hyper[name] : undefined);
  const num = (v: Json | undefined, d: number): number => (typeof v === 'number' ? v : d);
  const baseEpochs = options.fidelity?.epochs ?? options.epochs ?? TRAIN_DEFAULTS.epochs;
  return {
    epochs: baseEpochs,
    batchSize: num(h('batch_size'), options.batch_size ?? TRAIN_DEFAULTS.batch_size),
    optimizer:
      typeof h('optimizer') === 'string' ? (h('optimizer') as string) : (options.optimizer ?? TRAIN_DEFAULTS.optimizer),
    learningRate: num(h('learning_rate'), options.learning_rate ?? TRAIN_DEFAULTS.learning_rate),
    weightDecay: num(h('weight_decay'), options.weight_decay ?? TRAIN_DEFAULTS.weight_decay),
    dataFraction: options.fidelity?.data ?? 1,
    evalBatchSize: options.eval_batch_size ?? TRAIN_DEFAULTS.eval_batch_size,
    ...(options.head ? { head: options.head } : {}),
  };
}

export const EARLY_STOPPING_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  description: 'prune unpromising trials from their per-epoch validation results',
  properties: {
    rule: {
      enum: ['none', 'median', 'asha'],
      default: 'none',
      description: 'median stopping rule, or asynchronous successive halving',
    },
    min_epochs: {
      type: 'integer',
      minimum: 1,
      default: PRUNER_DEFAULTS.min_epochs,
      description: 'no pruning before this epoch (median); the first rung (asha)',
    },
    min_trials: {
      type: 'integer',
      minimum: 1,
      default: PRUNER_DEFAULTS.min_trials,
      description: 'median: complete trials needed at a step before it prunes there',
    },
    eta: {
      type: 'number',
      exclusiveMinimum: 1,
      default: PRUNER_DEFAULTS.eta,
      description: 'asha: rungs at min_epochs * eta^k; the top 1/eta continue',
    },
  },
};

export const TRAIN_OPTIONS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    epochs: {
      type: 'integer',
      minimum: 1,
      default: TRAIN_DEFAULTS.epochs,
      description: 'training epochs per candidate',
    },
    batch_size: {
      type: 'integer',
      minimum: 1,
      default: TRAIN_DEFAULTS.batch_size,
      description: 'batch size (space hyper batch_size overrides it)',
    },
    optimizer: {
      enum: ['adam', 'sgd', 'rmsprop', 'adagrad'],
      default: TRAIN_DEFAULTS.optimizer,
      description: 'optimizer (space hyper optimizer overrides it)',
    },
    learning_rate: {
      type: 'number',
      exclusiveMinimum: 0,
      default: TRAIN_DEFAULTS.learning_rate,
      description: 'learning rate (space hyper learning_rate overrides it)',
    },
    weight_decay: {
      type: 'number',
      minimum: 0,
      default: TRAIN_DEFAULTS.weight_decay,
      description: 'L2 decay on kernels (space hyper weight_decay overrides it)',
    },
    backend: {
      enum: ['auto', 'tensorflow', 'wasm', 'cpu'],
      default: TRAIN_DEFAULTS.backend,
      description: 'tensor backend: auto = tfjs-node if installed, else wasm',
    },
    fidelity: {
      type: 'object',
      additionalProperties: false,
      description: 'cheaper evaluations: a stratified fraction of the training split, and/or fewer epochs',
      properties: {
        data: { type: 'number', exclusiveMinimum: 0, maximum: 1, description: 'fraction of the training split used' },
        epochs: { type: 'integer', minimum: 1, description: 'epochs used instead of `epochs`' },
      },
    },
    early_stopping: EARLY_STOPPING_SCHEMA,
    recycle_after: {
      type: 'integer',
      minimum: 0,
      default: TRAIN_DEFAULTS.recycle_after,
      description: 'tasks per worker thread before workers are replaced (0: never)',
    },
    keep_models: {
      type: 'integer',
      minimum: 0,
      default: TRAIN_DEFAULTS.keep_models,
      description: 'trained models of the best K trials kept next to the store for `nas export`',
    },
    head: {
      enum: ['gap', 'flatten'],
      description: 'how a still-spatial chain output meets the classifier (default: global average pooling)',
    },
    eval_batch_size: {
      type: 'integer',
      minimum: 1,
      default: TRAIN_DEFAULTS.eval_batch_size,
      description: 'batch size of validation passes',
    },
    cancel_grace: {
      type: 'number',
      minimum: 0,
      default: TRAIN_DEFAULTS.cancel_grace,
      description: 'seconds a cancelled trial may take to stop before its worker is terminated',
    },
  },
};
