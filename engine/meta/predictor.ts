// A performance predictor learned on earlier tasks: weighted ridge regression from the target space's
// encoding (one-hot per decision) to each source trial's percentile in its task (1 = its best), each
// trial weighted by its task's weight. Percentiles make tasks with different metrics and scales
// comparable. Extra per-architecture features (e.g. zero-cost proxies) may be appended by the caller.

import type { SearchSpace } from '../core/space.js';
import type { Arch, Json } from '../core/types.js';
import type { WeightedTask } from './transfer.js';

export interface LinearPredictor {
  kind: 'ridge';
  weights: number[];
  bias: number;
  /** Training examples it saw. */
  n: number;
}

/** Solves the symmetric positive definite system A x = b (Cholesky); A is overwritten. */
function solveSpd(A: number[][], b: number[]): number[] {
  const n = b.length;
  const L = A;
  for (let j = 0; j < n; j++) {
    let s = L[j][j];
    for (let k = 0; k < j; k++) s -= L[j][k] * L[j][k];
    L[j][j] = Math.sqrt(Math.max(s, 1e-12));
    for (let i = j + 1; i < n; i++) {
      let t = L[i][j];
      for (let k = 0; k < j; k++) t -= L[i][k] * L[j][k];
      L[i][j] = t / L[j][j];
    }
  }
  const y = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    let t = b[i];
    for (let k = 0; k < i; k++) t -= L[i][k] * y[k];
    y[i] = t / L[i][i];
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let t = y[i];
    for (let k = i + 1; k < n; k++) t -= L[k][i] * x[k];
    x[i] = t / L[i][i];
  }
  return x;
}

/** Weighted ridge regression of y on rows of X (a bias is fitted, not penalised). */
export function fitRidge(X: number[][], y: number[], w: number[], lambda = 1): LinearPredictor {
  const d = X[0]?.length ?? 0;
  let sw = 0;
  let my = 0;
  const mx = new Array<number>(d).fill(0);
  X.forEach((row, i) => {
    sw += w[i];
    my += w[i] * y[i];
    for (let k = 0; k < d; k++) mx[k] += w[i] * row[k];
  });
  if (sw <= 0) return { kind: 'ridge', weights: new Array<number>(d).fill(0), bias: 0, n: 0 };
  my /= sw;
  for (let k = 0; k < d; k++) mx[k] /= sw;
  const A = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? lambda : 0)));
  const b = new Array<number>(d).fill(0);
  X.forEach((row, i) => {
    const r = row.map((v, k) => v - mx[k]);
    const yi = y[i] - my;
    for (let p = 0; p < d; p++) {
      if (r[p] === 0) continue;
      b[p] += w[i] * r[p] * yi;
      for (let q = 0; q <= p; q++) A[p][q] += w[i] * r[p] * r[q];
    }
  });
  for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) A[p][q] = A[q][p];
  const weights = d > 0 ? solveSpd(A, b) : [];
  const bias = my - weights.reduce((s, v, k) => s + v * mx[k], 0);
  return { kind: 'ridge', weights, bias, n: X.length };
}

export function predict(p: LinearPredictor, x: readonly number[]): number {
  let s = p.bias;
  for (let k = 0; k < p.weights.length; k++) s += p.weights[k] * (x[k] ?? 0);
  return s;
}

/** Trains the predictor on every source trial that belongs to `space`. */
export function trainPredictor(
  space: SearchSpace,
  weighted: readonly WeightedTask[],
  extra?: (arch: Arch) => number[],
  lambda = 1,
): LinearPredictor {
  const X: number[][] = [];
  const y: number[] = [];
  const w: number[] = [];
  for (const wt of weighted) {
    const n = wt.task.trials.length;
    wt.task.trials.forEach((t, rank) => {
      let arch: Arch;
      try {
        arch = space.validate(t.arch as Json);
      } catch {
        return;
      }
      X.push(extra ? [...space.encode(arch), ...extra(arch)] : space.encode(arch));
      y.push(n > 1 ? 1 - rank / (n - 1) : 1);
      w.push(wt.weight);
    });
  }
  return fitRidge(X, y, w, lambda);
}
