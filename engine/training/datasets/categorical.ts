// Categorical columns after the split: each column's vocabulary is the values its training part has
// (so nothing of validation or test leaks into it), id k + 1 for the k-th of them, and 0 for any other
// value: the out-of-vocabulary row of the column's embedding, which a value never seen in training
// (at validation, test or prediction time) gets.

import type { CategoricalColumns, Dataset } from './types.js';

export interface Vocabulary {
  cat: CategoricalColumns;
  /** Per column: loaded code -> id (1..V), absent for values the training part lacks. */
  ids: Map<number, number>[];
}

export function fitVocabulary(train: Dataset): Vocabulary | undefined {
  const cat = train.categorical;
  if (!cat) return undefined;
  const d = train.x.length / Math.max(1, train.n);
  const ids = cat.positions.map((p) => {
    const codes = new Set<number>();
    for (let i = 0; i < train.n; i++) codes.add(train.x[i * d + p]);
    return new Map([...codes].sort((a, b) => a - b).map((code, k) => [code, k + 1]));
  });
  const vocabulary = ids.map((m, c) => [...m.keys()].map((code) => cat.values[c][code]));
  return { cat: { ...cat, vocabulary }, ids };
}

/** A copy of `ds` with its categorical codes replaced by the vocabulary's ids (0: out of vocabulary). */
export function applyVocabulary(ds: Dataset, v: Vocabulary): Dataset {
  const d = ds.x.length / Math.max(1, ds.n);
  const x = Float32Array.from(ds.x);
  v.cat.positions.forEach((p, c) => {
    for (let i = 0; i < ds.n; i++) x[i * d + p] = v.ids[c].get(ds.x[i * d + p]) ?? 0;
  });
  return { ...ds, x, categorical: v.cat };
}

/** Rows of the embedding table of each column: its vocabulary plus the out-of-vocabulary row. */
export function embeddingRows(cat: CategoricalColumns): number[] {
  if (!cat.vocabulary) throw new Error('embeddingRows: the categorical columns have no vocabulary before the split');
  return cat.vocabulary.map((v) => v.length + 1);
}
