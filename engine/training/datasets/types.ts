// The in-memory dataset every evaluator trains on: dense row-major features and class indices (for a
// regression task: the numeric targets, with quantile strata as the classes that split and limit keep
// in proportion).
// Plain typed arrays (not tensors) so a dataset can be cached per worker, split and subsampled
// without touching a tfjs backend.

import type { TokenizerConfig } from '../../core/workflow.js';
import type { Vocabulary } from './tokenizer.js';
import type { TaskKind } from '../../core/task.js';

export interface Dataset {
  /** Row-major samples: sample i is x[i * size .. (i + 1) * size], size = product(featureShape). */
  x: Float32Array;
  /** Class index (0..classes-1) of each sample; for regression its stratum (target quantile bin). */
  y: Int32Array;
  n: number;
  /** Shape of one sample, e.g. [28, 28, 1] for images or [4] for tabular data. */
  featureShape: number[];
  classes: number;
  /** classNames[k] is the original label of class index k (sorted, numerically when all labels are numbers). */
  classNames: string[];
  task: TaskKind;
  /** Regression only: the target of each sample, in the label column's units. */
  targets?: Float32Array;
  /** The `source` it was loaded from (builtin:iris, csv:/abs/path, ...). */
  source: string;
  /**
   * True for tabular sources: features are z-scored when the dataset is split, with the mean and std
   * of the training part only (see standardize.ts), so no statistic leaks from validation.
   */
  standardize: boolean;
  /** Column names of tabular sources (feature order). */
  featureNames?: string[];
  /** On a split of a standardised dataset: the training statistics that were applied. */
  scaling?: Scaling;
  /**
   * Text datasets before the split: the raw texts (x holds zeros until then) and the tokenizer's
   * settings. The split fits the vocabulary on its training part and encodes both parts.
   */
  texts?: string[];
  tokenizer?: TokenizerConfig;
  /** On a split of a text dataset: the vocabulary fitted on the training part (x holds its token ids). */
  vocabulary?: Vocabulary;
  /** Id-like columns (dataset.categorical), kept as integer codes in x and never standardised. */
  categorical?: CategoricalColumns;
}

/**
 * Categorical columns. Loaded, x holds each value's index in `values` (sorted distinct values of the
 * file). After the split, x holds 1 + its index in `vocabulary` (the values the training part has),
 * and 0 for a value the training part never had: the out-of-vocabulary row of the column's embedding.
 */
export interface CategoricalColumns {
  names: string[];
  /** Position of each column among the features (x's columns). */
  positions: number[];
  values: string[][];
  /** Set by the split: per column, the training part's values; value k is id k + 1. */
  vocabulary?: string[][];
}

export interface Scaling {
  mean: Float32Array;
  std: Float32Array;
}

export interface DatasetSplit {
  train: Dataset;
  validation: Dataset;
}

/** What a source parser produces before labels are indexed. */
export interface RawDataset {
  x: Float32Array;
  labels: (string | number)[];
  featureShape: number[];
  standardize: boolean;
  featureNames?: string[];
  /** Text sources: one raw text per sample. */
  texts?: string[];
  categorical?: CategoricalColumns;
}

export function sampleSize(ds: { featureShape: number[] }): number {
  return ds.featureShape.reduce((a, b) => a * b, 1);
}
