// Train/validation split: seeded and stratified; tabular datasets are standardised here, with the
// statistics of the training part (see standardize.ts).

import { stratifiedSplit, take } from './sample.js';
import { applyScaling, fitScaling } from './standardize.js';
import type { Dataset, DatasetSplit } from './types.js';

export function splitDataset(ds: Dataset, validation: number, seed: number): DatasetSplit {
  const idx = stratifiedSplit(ds, validation, seed);
  const train = take(ds, idx.train);
  const val = take(ds, idx.validation);
  if (!ds.standardize) return { train, validation: val };
  const scaling = fitScaling(train);
  return { train: applyScaling(train, scaling), validation: applyScaling(val, scaling) };
}
