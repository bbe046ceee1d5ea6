// What the model builder needs to turn an architecture into a network. Archs are the search
// spaces' JSON; these types only name the parts the builder reads.

import type { Json } from '../../core/types.js';

/** What the model needs of the categorical columns: where they are and how many rows each table has. */
export interface CategoricalSpec {
  names: string[];
  positions: number[];
  /** Vocabulary size + 1 (the out-of-vocabulary row) per column. */
  rows: number[];
}

/** One chain layer: its type (a key of LAYER_TYPES) and its parameters; missing ones take the type's defaults. */
export interface ChainLayer {
  type: string;
  [param: string]: Json;
}

export interface ChainModelSpec {
  space: 'chain';
  arch: { layers: ChainLayer[]; hyper?: Record<string, Json> };
  inputShape: number[];
  classes: number;
  /** The input is token ids below `vocab` (a text dataset): the first layer must be an embedding. */
  vocab?: number;
  /** A regression model: the head is one linear unit and `classes` is ignored. */
  regression?: boolean;
  /** A table with categorical columns: they go through per-column embeddings first (categorical.ts). */
  categorical?: CategoricalSpec;
  /** Seeds the weight initialisers (derive it from the trial seed); 0 when absent. */
  seed?: number;
  /**
   * How a still-spatial output meets the classifier: global average pooling (default) or flatten.
   * See chain.ts for why GAP is the default.
   */
  head?: 'gap' | 'flatten';
}

export interface CellSkeleton {
  /** Channels of the first stage (doubled at each reduction). */
  channels: number;
  /** Cells per stage. */
  cells: number;
  stages: number;
}

export interface CellModelSpec {
  space: 'cell';
  /** One op per edge, edges ordered 1<-0 | 2<-0, 2<-1 | 3<-0, 3<-1, 3<-2 | ... (the NB201 key order). */
  arch: { ops: string[] };
  nodes: number;
  inputShape: number[];
  classes: number;
  /** A regression model: the head is one linear unit and `classes` is ignored. */
  regression?: boolean;
  skeleton: CellSkeleton;
  seed?: number;
}

export type ModelSpec = ChainModelSpec | CellModelSpec;
