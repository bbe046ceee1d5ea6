// The data every candidate of a run trains on: the workflow-seeded split of the dataset, shaped for the
// space's input, with its tensors, cached per thread (a pool worker prepares it once). Training jobs,
// supernet jobs, proxies and `nas export` use it, so they all see the same split and scaling.

import * as tf from '@tensorflow/tfjs';
import { FatalError } from '../../core/errors.js';
import { deriveSeed } from '../../core/rng.js';
import type { DatasetConfig, SpaceConfig } from '../../core/workflow.js';
import { loadDataset, splitDataset, stratifiedSubsample, type Dataset } from './index.js';
import { stratifiedSplit, take } from './sample.js';
import { applyScaling } from './standardize.js';
import { applyVocabulary, fitVocabulary } from './categorical.js';

export interface PreparedData {
  train: Dataset;
  validation: Dataset;
  inputShape: number[];
  /**
   * Regression: the training targets' mean and std. Models learn (t - mean) / std, which keeps one
   * learning rate right for targets of any scale; metrics are reported back in the target's units.
   */
  targetScaling?: { mean: number; std: number };
  /** Created outside every candidate's scope and kept for the life of the thread. */
  tensors: { xTrain: tf.Tensor; yTrain: tf.Tensor2D; xVal: tf.Tensor; yVal: tf.Tensor2D };
}

const prepared = new Map<string, PreparedData>();

/** The input shape a candidate of `space` takes: the chain's `input`, or for cells the dataset's sample shape (a flat square becomes [s, s, 1]). */
export function inputShapeFor(space: SpaceConfig, featureShape: number[]): number[] {
  if (space.kind === 'chain') return [...space.input];
  if (featureShape.length === 3) return [...featureShape];
  if (featureShape.length === 2) return [...featureShape, 1];
  const n = featureShape.reduce((a, b) => a * b, 1);
  const s = Math.round(Math.sqrt(n));
  if (s * s === n) return [s, s, 1];
  throw new FatalError(
    `a cell space needs image-shaped samples; this dataset's samples have shape [${featureShape.join(', ')}]`,
  );
}

export interface DataParts {
  train: Dataset;
  validation: Dataset;
  /** Only with dataset.split.test: scaled with the training part's statistics, like validation. */
  test?: Dataset;
}

/**
 * The dataset's parts as every trial sees them. With `split.test`, the test rows are taken off first
 * (stratified, seeded apart from the validation split), then validation is split from the rest, so
 * both fractions are of the whole dataset; without it the split is exactly what it always was.
 */
export function splitParts(dataset: DatasetConfig, inputShape: number[] | undefined, dataSeed: number): DataParts {
  const { validation, test } = dataset.split;
  const { rows, held } = holdOut(dataset, inputShape, dataSeed);
  const parts: DataParts = held
    ? splitDataset(rows, validation / (1 - test!), deriveSeed(dataSeed, 'dataset.split'))
    : splitDataset(rows, validation, deriveSeed(dataSeed, 'dataset.split'));
  if (held) parts.test = parts.train.scaling ? applyScaling(held, parts.train.scaling) : held;
  // categorical ids: the training part's vocabulary, 0 for values only the other parts have
  const vocab = fitVocabulary(parts.train);
  if (!vocab) return parts;
  return {
    train: applyVocabulary(parts.train, vocab),
    validation: applyVocabulary(parts.validation, vocab),
    ...(parts.test ? { test: applyVocabulary(parts.test, vocab) } : {}),
  };
}

/** The rows a search may look at (training and validation; unscaled), for proxies and meta-features. */
export function searchRows(dataset: DatasetConfig, inputShape: number[] | undefined, dataSeed: number): Dataset {
  return holdOut(dataset, inputShape, dataSeed).rows;
}

function holdOut(
  dataset: DatasetConfig,
  inputShape: number[] | undefined,
  dataSeed: number,
): { rows: Dataset; held?: Dataset } {
  const ds = loadDataset(dataset, inputShape, { seed: dataSeed });
  const { validation, test } = dataset.split;
  if (!test) return { rows: ds };
  if (!(validation + test < 1)) {
    throw new FatalError(`dataset.split: validation + test must leave training data, got ${validation} + ${test}`);
  }
  const idx = stratifiedSplit(ds, test, deriveSeed(dataSeed, 'dataset.test'));
  return { rows: take(ds, idx.train), held: take(ds, idx.validation) };
}

/** Mean and (population) std of the training targets; a constant target keeps std 1. */
export function fitTargetScaling(targets: Float32Array): { mean: number; std: number } {
  let mean = 0;
  for (const t of targets) mean += t;
  mean /= Math.max(1, targets.length);
  let sq = 0;
  for (const t of targets) sq += (t - mean) ** 2;
  return { mean, std: Math.sqrt(sq / Math.max(1, targets.length)) || 1 };
}

/** One-hot classes, or for regression the scaled targets as a [n, 1] column. */
export function labelTensor(ds: Dataset, targetScaling?: { mean: number; std: number }): tf.Tensor2D {
  if (ds.targets && targetScaling) {
    const { mean, std } = targetScaling;
    return tf.tensor2d(
      Float32Array.from(ds.targets, (t) => (t - mean) / std),
      [ds.n, 1],
    );
  }
  return tf.oneHot(tf.tensor1d(ds.y, 'int32'), ds.classes).toFloat() as tf.Tensor2D;
}

/** The train/validation split every trial of a run sees (seeded by the workflow seed), with its tensors; cached per thread. */
export function prepareData(
  dataset: DatasetConfig,
  space: SpaceConfig,
  dataSeed: number,
  dataFraction = 1,
): PreparedData {
  const key = JSON.stringify([dataset, space.kind === 'chain' ? space.input : 'cell', dataSeed, dataFraction]);
  const hit = prepared.get(key);
  if (hit) return hit;
  const full = loadDataset(dataset, undefined, { seed: dataSeed });
  const inputShape = inputShapeFor(space, full.featureShape);
  // the test part is dropped here: a worker never holds it (see prepareTestData)
  const split = splitParts(dataset, inputShape, dataSeed);
  let train = split.train;
  if (dataFraction < 1) {
    const n = Math.max(train.classes, Math.round(train.n * dataFraction));
    train = take(train, stratifiedSubsample(train, n, deriveSeed(dataSeed, 'fidelity.data')));
  }
  const targetScaling = train.targets ? fitTargetScaling(train.targets) : undefined;
  const tensors = tf.tidy(() => ({
    xTrain: tf.tensor(train.x, [train.n, ...inputShape], 'float32'),
    yTrain: labelTensor(train, targetScaling),
    xVal: tf.tensor(split.validation.x, [split.validation.n, ...inputShape], 'float32'),
    yVal: labelTensor(split.validation, targetScaling),
  }));
  const p: PreparedData = {
    train,
    validation: split.validation,
    inputShape,
    ...(targetScaling ? { targetScaling } : {}),
    tensors,
  };
  prepared.set(key, p);
  return p;
}

export interface TestData {
  test: Dataset;
  inputShape: number[];
  x: tf.Tensor;
  /** One-hot classes (classification). */
  y?: tf.Tensor2D;
  /** Regression: the training part's target statistics (what the models learned to predict). */
  targetScaling?: { mean: number; std: number };
}

/** The held-out test part with its tensors (the caller disposes x and y); only the end-of-run evaluation calls it. */
export function prepareTestData(dataset: DatasetConfig, space: SpaceConfig, dataSeed: number): TestData {
  const full = loadDataset(dataset, undefined, { seed: dataSeed });
  const inputShape = inputShapeFor(space, full.featureShape);
  const parts = splitParts(dataset, inputShape, dataSeed);
  const test = parts.test;
  if (!test) throw new FatalError('prepareTestData: the workflow has no dataset.split.test');
  const targetScaling = parts.train.targets ? fitTargetScaling(parts.train.targets) : undefined;
  return {
    test,
    inputShape,
    x: tf.tensor(test.x, [test.n, ...inputShape], 'float32'),
    ...(targetScaling ? { targetScaling } : { y: labelTensor(test) }),
  };
}
