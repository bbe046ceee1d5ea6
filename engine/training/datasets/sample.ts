// Seeded, stratified index selection: subsampling (`limit`) and the train/validation split. Working on
// indices keeps the class logic apart from copying features.

import { FatalError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { Dataset } from './types.js';

function indicesByClass(y: Int32Array, classes: number): number[][] {
  const by: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < y.length; i++) by[y[i]].push(i);
  return by;
}

/** Largest-remainder allocation of `total` over classes proportionally to their counts, at least 1 each when possible. */
function allocate(counts: number[], total: number): number[] {
  const n = counts.reduce((a, b) => a + b, 0);
  const exact = counts.map((c) => (c * total) / n);
  const quota = exact.map(Math.floor);
  let left = total - quota.reduce((a, b) => a + b, 0);
  const order = counts.map((_, k) => k).sort((a, b) => exact[b] - quota[b] - (exact[a] - quota[a]) || a - b);
  for (const k of order)
    if (left > 0 && quota[k] < counts[k]) {
      quota[k]++;
      left--;
    }
  // a class that got nothing borrows one sample from the largest quota, so every class stays present
  for (let k = 0; k < counts.length; k++) {
    if (quota[k] > 0 || counts[k] === 0) continue;
    const donor = quota.indexOf(Math.max(...quota));
    if (quota[donor] <= 1) break;
    quota[donor]--;
    quota[k]++;
  }
  return quota;
}

/** `limit` samples, the same class proportions as `ds`, in their original order. */
export function stratifiedSubsample(ds: Dataset, limit: number, seed: number): number[] {
  if (!Number.isInteger(limit) || limit < 1)
    throw new FatalError(`dataset limit must be a positive integer, got ${limit}`);
  if (limit >= ds.n) return Array.from({ length: ds.n }, (_, i) => i);
  const rng = new Rng(seed);
  const by = indicesByClass(ds.y, ds.classes);
  const quota = allocate(
    by.map((c) => c.length),
    limit,
  );
  const picked = by.flatMap((idx, k) => rng.shuffle([...idx]).slice(0, quota[k]));
  return picked.sort((a, b) => a - b);
}

/**
 * Stratified split: each class puts round(count * validation) samples (at least 1, at most count - 1)
 * into validation. Both parts come back in a seeded shuffled order.
 */
export function stratifiedSplit(
  ds: Dataset,
  validation: number,
  seed: number,
): { train: number[]; validation: number[] } {
  if (!(validation > 0 && validation < 1)) {
    throw new FatalError(`validation fraction must be in (0, 1), got ${validation}`);
  }
  const rng = new Rng(seed);
  const train: number[] = [];
  const val: number[] = [];
  indicesByClass(ds.y, ds.classes).forEach((idx, k) => {
    if (idx.length < 2) {
      throw new FatalError(
        `${ds.source}: class "${ds.classNames[k]}" has ${idx.length} sample(s); a train/validation split needs at least 1 in each part (2 per class)`,
      );
    }
    const m = Math.min(idx.length - 1, Math.max(1, Math.round(idx.length * validation)));
    rng.shuffle(idx);
    // a loop, not push(...slice): spreading 600k indices as arguments overflows the call stack
    for (let i = 0; i < idx.length; i++) (i < m ? val : train).push(idx[i]);
  });
  return { train: rng.shuffle(train), validation: rng.shuffle(val) };
}

/** A new dataset holding the samples at `indices` (features copied). */
export function take(ds: Dataset, indices: readonly number[]): Dataset {
  const size = ds.x.length / Math.max(1, ds.n);
  const x = new Float32Array(indices.length * size);
  const y = new Int32Array(indices.length);
  const targets = ds.targets ? new Float32Array(indices.length) : undefined;
  indices.forEach((src, i) => {
    x.set(ds.x.subarray(src * size, (src + 1) * size), i * size);
    y[i] = ds.y[src];
    if (targets) targets[i] = ds.targets![src];
  });
  const texts = ds.texts;
  return {
    ...ds,
    x,
    y,
    n: indices.length,
    ...(texts ? { texts: indices.map((i) => texts[i]) } : {}),
    ...(targets ? { targets } : {}),
  };
}
