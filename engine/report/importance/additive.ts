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
// Written here: the system is small (1 + the number of choices, a few hundred at most) and dense,
// so Cholesky on the normal equations is a few lines and needs no linear-algebra package.

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

/** Solves A w = b for a symmetric positive definite A (row-major, d x d) by Cholesky. */
function solveSpd(A: Float64Array, b: Float64Array, d: number): Float64Array {
  const L = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++) {
      let s = A[i * d + j];
      for (let k = 0; k < j; k++) s -= L[i * d + k] * L[j * d + k];
      // the ridge keeps the diagonal positive; the guard only absorbs rounding
      L[i * d + j] = i === j ? Math.sqrt(Math.max(s, 1e-12)) : s / L[j * d + j];
    }
  const z = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * d + k] * z[k];
    z[i] = s / L[i * d + i];
  }
  const w = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < d; k++) s -= L[k * d + i] * w[k];
    w[i] = s / L[i * d + i];
  }
  return w;
}
