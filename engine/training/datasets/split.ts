// Train/validation split: seeded and stratified; tabular datasets are standardised here, with the
// statistics of the training part (see standardize.ts).

import { stratifiedSplit, take } from './sample.js';
import { applyScaling, fitScaling } from './standardize.js';
import { encodeTexts, fitVocabulary, type Vocabulary } from './tokenizer.js';
import type { Dataset, DatasetSplit } from './types.js';

/** A text part encoded with `vocabulary` (x holds the token ids; the texts stay, so a test can read them raw). */
function encoded(part: Dataset, vocabulary: Vocabulary): Dataset {
  // without `tokenizer`, a further split keeps this vocabulary instead of fitting another
  const { tokenizer: _fitted, ...rest } = part;
  return { ...rest, x: encodeTexts(part.texts ?? [], vocabulary), vocabulary };
}

export function splitDataset(ds: Dataset, validation: number, seed: number): DatasetSplit {
  const idx = stratifiedSplit(ds, validation, seed);
  const train = take(ds, idx.train);
  const val = take(ds, idx.validation);
  if (ds.texts && ds.tokenizer) {
    // the vocabulary sees the training texts only, so no validation word leaks into it
    const vocabulary = fitVocabulary(train.texts ?? [], ds.tokenizer);
    return { train: encoded(train, vocabulary), validation: encoded(val, vocabulary) };
  }
  if (!ds.standardize) return { train, validation: val };
  const scaling = fitScaling(train);
  return { train: applyScaling(train, scaling), validation: applyScaling(val, scaling) };
}
