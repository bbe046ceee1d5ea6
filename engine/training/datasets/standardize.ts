// Z-scoring of tabular features. Statistics come from the training part only and are then applied to
// both parts, so nothing about the validation samples leaks into training.

import type { Dataset, Scaling } from './types.js';

export function fitScaling(train: Dataset): Scaling {
  const d = train.x.length / Math.max(1, train.n);
  const mean = new Float64Array(d);
  const sq = new Float64Array(d);
  for (let i = 0; i < train.n; i++) {
    for (let j = 0; j < d; j++) mean[j] += train.x[i * d + j];
  }
  for (let j = 0; j < d; j++) mean[j] /= Math.max(1, train.n);
  for (let i = 0; i < train.n; i++) {
    for (let j = 0; j < d; j++) sq[j] += (train.x[i * d + j] - mean[j]) ** 2;
  }
  // population std; a constant column keeps std 1 so it becomes 0 instead of NaN
  const std = Float32Array.from(sq, (s) => Math.sqrt(s / Math.max(1, train.n)) || 1);
  // categorical columns hold ids: left as they are
  for (const p of train.categorical?.positions ?? []) {
    mean[p] = 0;
    std[p] = 1;
  }
  return { mean: Float32Array.from(mean), std };
}

/** A copy of `ds` with (x - mean) / std applied per feature. */
export function applyScaling(ds: Dataset, scaling: Scaling): Dataset {
  const d = scaling.mean.length;
  const x = new Float32Array(ds.x.length);
  for (let i = 0; i < x.length; i++) x[i] = (ds.x[i] - scaling.mean[i % d]) / scaling.std[i % d];
  // already standardised: a further split must not do it again
  return { ...ds, x, scaling, standardize: false };
}
