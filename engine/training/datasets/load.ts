// loadDataset: source -> Dataset, with `limit` subsampling, reshaping to the space's input and a
// per-process cache, so a worker thread parses a dataset once and not once per trial.

import { FatalError } from '../../core/errors.js';
import { deriveSeed } from '../../core/rng.js';
import type { DatasetConfig } from '../../core/workflow.js';
import { indexLabels } from './labels.js';
import { stratifiedSubsample, take } from './sample.js';
import { loadSource } from './sources.js';
import { inferTask, regressionTargets } from './targets.js';
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

/** What identifies a loaded dataset in the cache: everything that changes what loadFull returns. */
function fullKey(cfg: DatasetConfig): string {
  const text = cfg.text && cfg.tokenizer ? JSON.stringify({ text: cfg.text, tokenizer: cfg.tokenizer }) : '';
  return [cfg.source, cfg.label || 'label', cfg.task ?? '', (cfg.categorical ?? []).join('\u0001'), text].join(
    '\u0000',
  );
}

function loadFull(cfg: DatasetConfig): Dataset {
  const { source, task } = cfg;
  const label = cfg.label || 'label';
  const text = cfg.text && cfg.tokenizer ? { text: cfg.text, tokenizer: cfg.tokenizer } : undefined;
  const key = fullKey(cfg);
  const hit = cache.get(key);
  if (hit) return hit;
  const raw = loadSource(source, label, { categorical: cfg.categorical ?? [], ...(text ? { text } : {}) });
  const kind = task ?? inferTask(raw.labels);
  let labels: { y: Int32Array; classNames: string[]; targets?: Float32Array };
  if (kind === 'regression') {
    const t = regressionTargets(raw.labels, source);
    labels = { y: t.strata, classNames: t.strataNames, targets: t.targets };
  } else labels = indexLabels(raw.labels, source);
  const { y, classNames } = labels;
  const ds: Dataset = {
    x: raw.x,
    y,
    n: y.length,
    featureShape: raw.featureShape,
    classes: classNames.length,
    classNames,
    task: kind,
    ...(labels.targets ? { targets: labels.targets } : {}),
    source,
    standardize: raw.standardize,
    ...(raw.featureNames ? { featureNames: raw.featureNames } : {}),
    ...(raw.categorical ? { categorical: raw.categorical } : {}),
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
  let ds = loadFull(cfg);
  if (cfg.limit !== undefined && cfg.limit < ds.n) {
    const seed = options.seed ?? 0;
    const key = `${fullKey(cfg)}\u0000${cfg.limit}\u0000${seed}`;
    let limited = cache.get(key);
    if (!limited) {
      limited = take(ds, stratifiedSubsample(ds, cfg.limit, deriveSeed(seed, 'dataset.limit')));
      cache.set(key, limited);
    }
    ds = limited;
  } else if (cfg.limit !== undefined) stratifiedSubsample(ds, cfg.limit, 0); // validates the value
  return inputShape ? reshapeDataset(ds, inputShape) : ds;
}
