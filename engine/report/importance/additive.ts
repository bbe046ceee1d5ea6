// The additive part of the surrogate: one effect per (decision, choice), fitted by ridge least
// squares on the tree's bootstrap rows before the tree is grown on what is left.
//
// Why: a search's trials are not a uniform sample. Evolution and model-based strategies keep
// choices together (a good cell's edges travel as a group), and a greedy tree gives the credit for
// correlated decisions to whichever it splits on first, so a forest alone ranks decisions by the
// search's path rather than by their effect. Least squares on all decisions at once separates
// correlated effects (each is estimated holding the others fixed), which is what a main effect
// over the whole space is; the tree then models the interactions in the residual. On NAS-Bench-201,
// regularized-evolution trials rank the table's most important edge first far more often with this
// part than without it (test/explain.test.ts). Ridge, not plain least squares, because a choice
// that no trial took leaves the system singular: its effect shrinks to the decision's mean.
//
// The system is small (1 + the number of choices, a few hundred at most) and dense: Cholesky on the
// normal equations (engine/core/linalg.ts).

import { backward, cholesky, forward } from '../../core/linalg.js';

export interface Additive {
  intercept: number;
  /** Per feature, per category: the effect, centred so its mean over the categories is 0. */
  effects: number[][];
}

/** Fits y ~ b + sum_j e_j(X[i][j]) on `rows` (with repeats, as a bootstrap draws them). */
export function fitAdditive(
  X: readonly (readonly number[])[],
  y: readonly number[],
  rows: readonly number[],
  cardinality: readonly number[],
  ridge = 1,
): Additive {
  const offsets: number[] = [];
  let d = 1;
  for (const k of cardinality) {
    offsets.push(d);
    d += k;
  }
  const A = new Float64Array(d * d);
  const b = new Float64Array(d);
  const cols = new Array<number>(cardinality.length + 1);
  for (const i of rows) {
    cols[0] = 0;
    for (let j = 0; j < cardinality.length; j++) cols[j + 1] = offsets[j] + X[i][j];
    for (const r of cols) {
      b[r] += y[i];
      for (const c of cols) A[r * d + c] += 1;
    }
  }
  // the intercept is not shrunk; every effect is
  for (let r = 1; r < d; r++) A[r * d + r] += ridge;
  const w = solveSpd(A, b, d);
  const effects = cardinality.map((k, j) => Array.from({ length: k }, (_, c) => w[offsets[j] + c]));
  let intercept = w[0];
  for (const e of effects) {
    const mean = e.reduce((s, v) => s + v, 0) / e.length;
    for (let c = 0; c < e.length; c++) e[c] -= mean;
    intercept += mean;
  }
  return { intercept, effects };
}

export function predictAdditive(a: Additive, x: readonly number[]): number {
  return x.reduce((s, c, j) => s + a.effects[j][c], a.intercept);
}

/** Solves A w = b for a symmetric positive definite A (row-major, d x d; overwritten). */
function solveSpd(A: Float64Array, b: Float64Array, d: number): Float64Array {
  // the ridge keeps A positive definite; a failure here is a bug, not bad input
  if (!cholesky(A, d)) throw new Error('additive: the ridge system is not positive definite');
  return backward(A, d, forward(A, d, b));
}
