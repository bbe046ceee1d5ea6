// Meta-features of a dataset, for meta-learning (which earlier task resembles this one). Simple
// statistics plus two cheap landmarks: accuracies of 1-nearest-neighbour and nearest-centroid
// classifiers on a seeded stratified subsample (half fits, half scores), so it stays well under a
// second even on mnist.

import { Rng } from '../../core/rng.js';
import type { TaskKind } from '../../core/task.js';
import { classCounts } from './labels.js';
import { stratifiedSubsample, take } from './sample.js';
import { applyScaling, fitScaling } from './standardize.js';
import { fitVocabulary, tokenize, vocabularyIndex } from './tokenizer.js';
import { sampleSize, type Dataset } from './types.js';

export interface DatasetFeatures {
  n: number;
  /** Values per sample. */
  features: number;
  inputShape: number[];
  /** Absent in knowledge files written before regression existed: classification. */
  task?: TaskKind;
  /** Classes; for regression the target's quantile strata, which the class statistics and landmarks then describe. */
  classes: number;
  /** Shannon entropy of the class distribution in bits, and divided by log2(classes) (1 = balanced). */
  classEntropy: number;
  classEntropyNormalized: number;
  minClassFraction: number;
  maxClassFraction: number;
  /** min / max class fraction (1 = balanced). */
  classBalance: number;
  /** Landmarks on the subsample. */
  landmark1nn: number;
  landmarkCentroid: number;
  /** Samples the landmarks used. */
  landmarkSamples: number;
}

export interface DescribeOptions {
  /** Samples for the landmarks (default 600: about 0.1 s on mnist). */
  sample?: number;
  seed?: number;
}

function dist2(a: Float32Array, i: number, b: Float32Array, j: number, d: number): number {
  let s = 0;
  for (let k = 0, p = i * d, q = j * d; k < d; k++, p++, q++) {
    const t = a[p] - b[q];
    s += t * t;
  }
  return s;
}

function landmarks(ds: Dataset, sample: number, seed: number): { nn: number; centroid: number; m: number } {
  const sub = take(ds, stratifiedSubsample(ds, Math.min(sample, ds.n), seed));
  const order = new Rng(seed ^ 0x5bd1e995).shuffle(Array.from({ length: sub.n }, (_, i) => i));
  const half = Math.max(1, Math.floor(sub.n / 2));
  let fit = take(sub, order.slice(0, half));
  let score = take(sub, order.slice(half));
  if (score.n === 0) return { nn: 0, centroid: 0, m: sub.n };
  if (ds.standardize) {
    const s = fitScaling(fit);
    fit = applyScaling(fit, s);
    score = applyScaling(score, s);
  }
  const d = sampleSize(ds);
  const centroids = new Float32Array(ds.classes * d);
  const counts = classCounts(fit.y, ds.classes);
  for (let i = 0; i < fit.n; i++) {
    for (let k = 0; k < d; k++) centroids[fit.y[i] * d + k] += fit.x[i * d + k];
  }
  for (let c = 0; c < ds.classes; c++) for (let k = 0; k < d; k++) centroids[c * d + k] /= Math.max(1, counts[c]);
  let nnRight = 0;
  let centroidRight = 0;
  for (let i = 0; i < score.n; i++) {
    let best = Infinity;
    let bestY = -1;
    for (let j = 0; j < fit.n; j++) {
      const t = dist2(score.x, i, fit.x, j, d);
      if (t < best) {
        best = t;
        bestY = fit.y[j];
      }
    }
    if (bestY === score.y[i]) nnRight++;
    best = Infinity;
    for (let c = 0; c < ds.classes; c++) {
      if (counts[c] === 0) continue;
      const t = dist2(score.x, i, centroids, c, d);
      if (t < best) {
        best = t;
        bestY = c;
      }
    }
    if (bestY === score.y[i]) centroidRight++;
  }
  return { nn: nnRight / score.n, centroid: centroidRight / score.n, m: sub.n };
}

/** Words of the bag-of-words view a text dataset's landmarks use. */
const BAG = 256;

/**
 * A text dataset as the landmarks see it: the l2-normalised counts of its BAG most frequent tokens
 * (token ids side by side say nothing about distance, and before a split x holds no ids at all).
 */
function bagOfWords(ds: Dataset): Dataset {
  if (!ds.texts || !ds.tokenizer) return ds;
  const vocab = fitVocabulary(ds.texts, { ...ds.tokenizer, vocab: BAG + 2 });
  const index = vocabularyIndex(vocab);
  const x = new Float32Array(ds.n * BAG);
  ds.texts.forEach((text, i) => {
    let norm = 0;
    for (const tok of tokenize(text, vocab)) {
      const id = index.get(tok);
      if (id !== undefined && id >= 2) x[i * BAG + id - 2]++;
    }
    for (let k = 0; k < BAG; k++) norm += x[i * BAG + k] ** 2;
    if (norm > 0) for (let k = 0; k < BAG; k++) x[i * BAG + k] /= Math.sqrt(norm);
  });
  return { ...ds, x, featureShape: [BAG], standardize: false };
}

export function describeDataset(ds: Dataset, options: DescribeOptions = {}): DatasetFeatures {
  const fractions = classCounts(ds.y, ds.classes).map((c) => c / Math.max(1, ds.n));
  const entropy = -fractions.reduce((s, p) => (p > 0 ? s + p * Math.log2(p) : s), 0);
  const minF = Math.min(...fractions);
  const maxF = Math.max(...fractions);
  const lm = landmarks(bagOfWords(ds), options.sample ?? 600, options.seed ?? 0);
  return {
    n: ds.n,
    features: sampleSize(ds),
    inputShape: [...ds.featureShape],
    task: ds.task,
    classes: ds.classes,
    classEntropy: entropy,
    classEntropyNormalized: ds.classes > 1 ? entropy / Math.log2(ds.classes) : 0,
    minClassFraction: minF,
    maxClassFraction: maxF,
    classBalance: maxF > 0 ? minF / maxF : 0,
    landmark1nn: lm.nn,
    landmarkCentroid: lm.centroid,
    landmarkSamples: lm.m,
  };
}
