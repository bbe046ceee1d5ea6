// Maps raw labels (strings or numbers) to class indices. Class order is stable and independent of
// row order: numeric sort when every label is a number, code-unit sort otherwise.

import { FatalError } from '../../core/errors.js';

export interface IndexedLabels {
  y: Int32Array;
  classNames: string[];
}

export function indexLabels(labels: readonly (string | number)[], where: string): IndexedLabels {
  const names = labels.map((l) => String(l).trim());
  const distinct = [...new Set(names)];
  const numeric = distinct.every((s) => s !== '' && Number.isFinite(Number(s)));
  distinct.sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (labels.length === 0) throw new FatalError(`${where}: no samples`);
  if (distinct.length < 2) {
    throw new FatalError(`${where}: only one class (${JSON.stringify(distinct[0])}); classification needs at least 2`);
  }
  const index = new Map(distinct.map((name, k) => [name, k]));
  const y = new Int32Array(names.length);
  for (let i = 0; i < names.length; i++) y[i] = index.get(names[i])!;
  return { y, classNames: distinct };
}

/** Samples per class. */
export function classCounts(y: Int32Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < y.length; i++) counts[y[i]]++;
  return counts;
}
