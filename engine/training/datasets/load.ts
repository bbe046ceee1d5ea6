// loadDataset: source -> Dataset, with `limit` subsampling, reshaping to the space's input and a
// per-process cache, so a worker thread parses a dataset once and not once per trial.

import { FatalError } from '../../core/errors.js';
import { deriveSeed } from '../../core/rng.js';
import type { DatasetConfig } from '../../core/workflow.js';
import { indexLabels } from './labels.js';
import { stratifiedSubsample, take } from './sample.js';
import { loadSource } from './sources.js';
import { sampleSize, type Dataset } from './types.js';

export interface LoadOptions {
  /** Seed of the `limit` subsample (default 0): the same for every trial so all see the same data. */
  seed?: number;
}

const cache = new Map<string, Dataset>();

/** Drops cached datasets (tests, or a worker that moves to another task). */
export function clearDatasetCache(): void {
  cache.clear();
}

function loadFull(cfg: DatasetConfig): Dataset {
  const { source } = cfg;
  const label = cfg.label || 'label';
  const text = cfg.text && cfg.tokenizer ? { text: cfg.text, tokenizer: cfg.tokenizer } : undefined;
  const key = `${source}\u0000${label}${text ? `\u0000${JSON.stringify(text)}` : ''}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const raw = loadSource(source, label, text);
  const { y, classNames } = indexLabels(raw.labels, source);
  const ds: Dataset = {
    x: raw.x,
    y,
    n: y.length,
    featureShape: raw.featureShape,
    classes: classNames.length,
    classNames,
    source,
    standardize: raw.standardize,
    ...(raw.featureNames ? { featureNames: raw.featureNames } : {}),
    ...(raw.texts && text ? { texts: raw.texts, tokenizer: text.tokenizer } : {}),
  };
  cache.set(key, ds);
  return ds;
}

/** The same samples viewed with another shape of the same size (e.g. 64 -> [8, 8, 1]). */
export function reshapeDataset(ds: Dataset, shape: readonly number[]): Dataset {
  const size = shape.reduce((a, b) => a * b, 1);
  const have = sampleSize(ds);
  if (size !== have || shape.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new FatalError(
      `${ds.source}: samples have shape [${ds.featureShape.join(', ')}] (${have} values); ` +
        `the input [${shape.join(', ')}] needs ${size}`,
    );
  }
  return { ...ds, featureShape: [...shape] };
}

/**
 * Loads (or takes from the cache) the dataset of `cfg`. The result shares its arrays with the cache:
 * treat it as read-only (splitDataset copies).
 */
export function loadDataset(cfg: DatasetConfig, inputShape?: readonly number[], options: LoadOptions = {}): Dataset {
  const label = cfg.label || 'label';
  let ds = loadFull(cfg);
  if (cfg.limit !== undefined && cfg.limit < ds.n) {
    const seed = options.seed ?? 0;
    const key = `${cfg.source}\u0000${label}\u0000${cfg.limit}\u0000${seed}\u0000${JSON.stringify(cfg.tokenizer ?? null)}`;
    let limited = cache.get(key);
    if (!limited) {
      limited = take(ds, stratifiedSubsample(ds, cfg.limit, deriveSeed(seed, 'dataset.limit')));
      cache.set(key, limited);
    }
    ds = limited;
  } else if (cfg.limit !== undefined) stratifiedSubsample(ds, cfg.limit, 0); // validates the value
  return inputShape ? reshapeDataset(ds, inputShape) : ds;
}
