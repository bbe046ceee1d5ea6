// DARTS (Liu et al. 2019) on tfjs: the options of a supernet search, the job a pool worker runs, and
// what comes back. Everything here is plain JSON so the job can travel like a training job.

import type { Json, Metrics } from '../../core/types.js';
import type { DatasetConfig, SpaceConfig } from '../../core/workflow.js';
import type { BackendChoice, BackendName } from '../backend.js';
import type { AnySupernetRequest, PathPolicyFactory } from '../../core/supernet.js';

export interface SupernetHooks {
  cancelled(): boolean;
  onEpoch?(epoch: number, metrics: Metrics): void;
  /** ENAS' controller (strategies/lib, handed down by the evaluation layer). */
  policy?: PathPolicyFactory;
}

/** The pool job: a supernet search on the workflow's data. */
export interface SupernetJob {
  type: 'supernet';
  trial: number;
  attempt: number;
  seed: number;
  request: AnySupernetRequest;
  space: SpaceConfig;
  dataset: DatasetConfig;
  dataSeed: number;
  backend: BackendChoice;
  /** Batch size of validation passes. */
  evalBatchSize: number;
  cancel?: Int32Array;
  progress?: import('node:worker_threads').MessagePort;
}

/** Alphas of one epoch: one row per edge (cell) or slot (chain), one column per candidate. */
export interface AlphaEpoch {
  epoch: number;
  alpha: number[][];
}

export interface SupernetResult {
  type: 'supernet';
  cancelled: boolean;
  /** Last epoch's supernet metrics (supernet_* names, so they are never mistaken for a candidate's). */
  metrics: Metrics;
  curve: { step: number; metrics: Metrics }[];
  /** Row labels (edge or slot names) and column labels (candidate names) of the alphas. */
  rows: string[];
  columns: string[][];
  alphas: AlphaEpoch[];
  /** Epoch whose alphas the derivation used (the last, or the last before the guard stopped). */
  derivedFrom: number;
  /** Derived architectures, best first, as archs of the space. */
  derived: Json[];
  /** select = perturbation: the loss increase per row and candidate when it is removed. */
  scores?: number[][];
  /** ENAS / SPOS: the shared-weight accuracy of each derived architecture. */
  wsScores?: number[];
  /** ENAS / SPOS rank_check: extra random architectures with their shared-weight accuracy. */
  check?: { arch: Json; score: number }[];
  /** Why the search ended: 'epochs' or the guard's reason. */
  stop: string;
  backend: BackendName;
  seconds: number;
}
