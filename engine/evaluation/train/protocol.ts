// The job/result protocol between the `train` evaluator (main thread) and its pool workers. Everything
// here is plain JSON (plus a SharedArrayBuffer cancel flag and a MessagePort for progress, which are
// transport details of the local pool), so another transport (a queue, another machine) can carry
// the same jobs.

import type { TaskKind } from '../../core/task.js';
import type { Arch, Metrics } from '../../core/types.js';
import type { DatasetConfig, SpaceConfig } from '../../core/workflow.js';
import type { Vocabulary } from '../../training/datasets/tokenizer.js';
import type { BackendChoice, BackendName } from '../../training/backend.js';
import type { MessagePort } from 'node:worker_threads';
import type { ModelArtifactsJson } from '../../training/model/files.js';

/** The resolved training settings of one candidate (options with the arch's searched hyperparameters applied). */
export interface TrainSettings {
  epochs: number;
  batchSize: number;
  optimizer: string;
  learningRate: number;
  weightDecay: number;
  /** Fraction of the training split used (stratified, seeded by the workflow seed). */
  dataFraction: number;
  /** Batch size of validation passes. */
  evalBatchSize: number;
  /** Classifier head of a still-spatial chain output. */
  head?: 'gap' | 'flatten';
}

export interface TrainJob {
  type: 'train';
  trial: number;
  /** 1 for the first evaluation of this trial in this process, 2 for its first retry, ... */
  attempt: number;
  arch: Arch;
  key: string;
  seed: number;
  space: SpaceConfig;
  dataset: DatasetConfig;
  /** Seed of the dataset subsample and of the train/validation split: the workflow's, so every trial sees the same data. */
  dataSeed: number;
  backend: BackendChoice;
  settings: TrainSettings;
  /** Return the trained model's artifacts (topology + weights) with the result. */
  returnModel: boolean;
  /** Set to 1 (Atomics) by the main thread to ask the worker to stop at the next batch. */
  cancel?: Int32Array;
  /** Per-epoch progress: the worker posts ProgressMessage objects. */
  progress?: MessagePort;
}

export interface MemoryJob {
  type: 'memory';
  backend: BackendChoice;
}

/** A DARTS supernet search (engine/training/darts/job.ts): same cancel flag and progress port as a training job. */
export type { SupernetJob, SupernetResult } from '../../training/darts/types.js';

export type PoolJob = TrainJob | MemoryJob | import('../../training/darts/types.js').SupernetJob;

export interface ProgressMessage {
  epoch: number;
  metrics: Metrics;
}

export interface TrainResult {
  type: 'train';
  /** The worker stopped because it was asked to (pruning, budget, Ctrl-C). */
  cancelled: boolean;
  metrics: Metrics;
  curve: { step: number; metrics: Metrics }[];
  backend: BackendName;
  /** How backend 'auto' fell back, on the first result of a worker where it did (see backend.ts). */
  backendNote?: string;
  epochs: number;
  seconds: number;
  /** Facts an exported model needs to be used: the input shape, class names, and the tabular scaling. */
  data: {
    inputShape: number[];
    /** Empty for regression. */
    classNames: string[];
    task: TaskKind;
    /** Categorical columns: each column's vocabulary (value k has id k + 1; any other value id 0). */
    categorical?: Record<string, string[]>;
    /** Regression: the training targets' mean and std (a model predicts (t - mean) / std). */
    targetScaling?: { mean: number; std: number };
    scaling?: { mean: number[]; std: number[] };
    /** Text datasets: the tokenizer fitted on the training split (a model reads its token ids). */
    vocabulary?: Vocabulary;
    train: number;
    validation: number;
  };
  model?: ModelArtifactsJson;
}

export interface MemoryResult {
  type: 'memory';
  numTensors: number;
  numBytes: number;
  backend: BackendName;
  tasks: number;
}

/** A failure inside the worker, as plain data (Error subclasses do not survive structured cloning). */
export interface ErrorResult {
  type: 'error';
  message: string;
  kind: 'trial' | 'fatal' | 'other';
  retryable: boolean;
}
