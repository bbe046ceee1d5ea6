// Knowledge handed between tasks: what an earlier run (or a shared knowledge file) tells a new search.
// Everything here is plain JSON, so a knowledge file (`nas meta export`) is just this, with a version.

import type { Arch, JsonObject, Metrics, Objective } from '../core/types.js';
import type { DatasetFeatures } from '../training/datasets/describe.js';
import type { SpaceConfig } from '../core/workflow.js';

export const KNOWLEDGE_FORMAT = 'nas-knowledge';
export const KNOWLEDGE_VERSION = 1;

/** What a task is, for similarity: a table column (no data to describe) or a dataset's meta-features. */
export type TaskDescriptor =
  | { kind: 'table'; evaluation: string; table: string; metric: string }
  | { kind: 'dataset'; evaluation: string; source: string; features: DatasetFeatures }
  | { kind: 'other'; evaluation: string };

export interface KnownTrial {
  key: string;
  arch: Arch;
  /** Objective score of the source run (larger is better). */
  score: number;
  metrics: Metrics;
}

/** One earlier run, reduced to what transfers. */
export interface TaskKnowledge {
  /** Where it came from, e.g. "/runs/digits.sqlite#3". */
  id: string;
  name: string;
  task: TaskDescriptor;
  space: SpaceConfig;
  /** Decision name -> choice values (canonical text), to tell compatible spaces apart. */
  decisions: Record<string, string[]>;
  objective: Objective;
  /** Complete trials, best first. */
  trials: KnownTrial[];
  /** Trials evaluated in all (failed and pruned included). */
  evaluated: number;
}

export interface KnowledgeFile {
  format: typeof KNOWLEDGE_FORMAT;
  version: number;
  created: string;
  tasks: TaskKnowledge[];
  info?: JsonObject;
}
