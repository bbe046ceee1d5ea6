// A small Gaussian process over sparse feature vectors (architecture encodings), in plain TypeScript:
// squared-exponential kernel on the Euclidean distance, Cholesky solve, hyperparameters (length
// scale, noise) picked from a grid by the log marginal likelihood. Targets are standardised inside.

import { backward, cholesky, forward } from '../../engine/core/linalg.js';

export { backward, cholesky, forward };

export interface SparseVec {
  idx: Int32Array;
  val: Float64Array;
  sq: number; // squared norm
}

export function sparse(dense: readonly number[]): SparseVec {
  const idx: number[] = [];
  const val: number[] = [];
  let sq = 0;
  dense.forEach((v, i) => {
    if (v !== 0) {
      idx.push(i);
      val.push(v);
      sq += v * v;
    }
  });
  return { idx: Int32Array.from(idx), val: Float64Array.from(val), sq };
}

export function dot(a: SparseVec, b: SparseVec): number {
  let i = 0,
    j = 0,
    s = 0;
  const ai = a.idx,
    bi = b.idx;
  while (i < ai.length && j < bi.length) {
    if (ai[i] === bi[j]) s += a.val[i++] * b.val[j++];
    else if (ai[i] < bi[j]) i++;
    else j++;
  }
  return s;
}

export function dist2(a: SparseVec, b: SparseVec): number {
  return Math.max(0, a.sq + b.sq - 2 * dot(a, b));
}

/** Squared distances between all pairs (n x n, row-major, lower triangle filled). */
export function distances(X: readonly SparseVec[]): Float64Array {
  const n = X.length;
  const D = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) D[i * n + j] = D[j * n + i] = dist2(X[i], X[j]);
  return D;
}

export interface GpHyper {
  lengthscale: number;
  noise: number;
}

export function rbf(d2: number, lengthscale: number): number {
  return Math.exp(-d2 / (2 * lengthscale * lengthscale));
}

/** Cholesky factor of K = k(D) + noise I (n x n row-major); null when not positive definite. */
export function factorize(D: Float64Array, n: number, hyper: GpHyper): Float64Array | null {
  const K = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    K[i * n + i] = 1 + hyper.noise;
    for (let j = 0; j < i; j++) K[i * n + j] = rbf(D[i * n + j], hyper.lengthscale);
  }
  return cholesky(K, n) ? K : null;
}

/**
 * The factor of K with one more point appended: `k` holds the kernel values between the new point
 * and the n old ones. O(n^2). Null when the result would not be positive definite.
 */
export function extendFactor(L: Float64Array, n: number, k: Float64Array, hyper: GpHyper): Float64Array | null {
  const l = forward(L, n, k);
  let s = 1 + hyper.noise;
  for (let i = 0; i < n; i++) s -= l[i] * l[i];
  if (!(s > 1e-12)) return null;
  const m = n + 1;
  const out = new Float64Array(m * m);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) out[i * m + j] = L[i * n + j];
  for (let j = 0; j < n; j++) out[n * m + j] = l[j];
  out[n * m + n] = Math.sqrt(s);
  return out;
}

export class GaussianProcess {
  private alpha: Float64Array;
  private readonly n: number;
  private mean = 0;
  private scale = 1;
  readonly logLik: number;

  /** `L`: the Cholesky factor of the training covariance under `hyper` (see factorize / extendFactor). */
  constructor(
    private readonly X: SparseVec[],
    y: readonly number[],
    readonly hyper: GpHyper,
    readonly L: Float64Array,
  ) {
    const n = (this.n = X.length);
    const m = y.reduce((a, b) => a + b, 0) / Math.max(n, 1);
    const v = y.reduce((a, b) => a + (b - m) * (b - m), 0) / Math.max(n - 1, 1);
    this.mean = m;
    this.scale = v > 0 ? Math.sqrt(v) : 1;
    const ys = Float64Array.from(y, (t) => (t - this.mean) / this.scale);
    this.alpha = backward(L, n, forward(L, n, ys));
    let ll = 0;
    for (let i = 0; i < n; i++) ll -= Math.log(L[i * n + i]) + 0.5 * ys[i] * this.alpha[i];
    this.logLik = ll - 0.5 * n * Math.log(2 * Math.PI);
  }

  /** Factorises and fits; raises the noise when the covariance is not positive definite. */
  static fit(X: SparseVec[], y: readonly number[], hyper: GpHyper, D = distances(X)): GaussianProcess {
    let h = { ...hyper };
    for (let attempt = 0; attempt < 8; attempt++) {
      const L = factorize(D, X.length, h);
      if (L) return new GaussianProcess(X, y, h, L);
      h = { ...h, noise: Math.max(h.noise * 10, 1e-6) };
    }
    throw new Error('GP: covariance not positive definite');
  }

  kernel(d2: number): number {
    return rbf(d2, this.hyper.lengthscale);
  }

  /** The weights K^-1 y (standardised y), and the standardisation: mu(x) = mean + scale * k(x) . weights. */
  get weights(): Float64Array {
    return this.alpha;
  }
  get yMean(): number {
    return this.mean;
  }

  /** Prior standard deviation (in the units of y): an upper bound of every posterior one. */
  get priorSd(): number {
    return this.scale;
  }

  /**
   * Kernel vector between x and the training points, the posterior mean (in the units of y), and a
   * cheap upper bound of the posterior standard deviation (conditioning on the nearest point only).
   */
  mean_(x: SparseVec): { k: Float64Array; mu: number; sdBound: number } {
    const n = this.n;
    const k = new Float64Array(n);
    let mu = 0;
    let kmax = 0;
    for (let i = 0; i < n; i++) {
      const ki = this.kernel(dist2(x, this.X[i]));
      k[i] = ki;
      mu += ki * this.alpha[i];
      if (ki > kmax) kmax = ki;
    }
    const bound = 1 - (kmax * kmax) / (1 + this.hyper.noise);
    return { k, mu: this.mean + this.scale * mu, sdBound: this.scale * Math.sqrt(Math.max(bound, 0)) + 1e-12 };
  }

  /** Posterior standard deviation from the kernel vector of `mean_`. */
  sd(k: Float64Array): number {
    const v = forward(this.L, this.n, k);
    let s = 1;
    for (let i = 0; i < this.n; i++) s -= v[i] * v[i];
    return this.scale * Math.sqrt(Math.max(s, 1e-12));
  }

  /** Posterior mean and standard deviation (in the units of y) at x. */
  predict(x: SparseVec): { mu: number; sd: number } {
    const { k, mu } = this.mean_(x);
    return { mu, sd: this.sd(k) };
  }

  /** Fits one GP per grid point and keeps the one with the highest marginal likelihood. */
  static best(
    X: SparseVec[],
    y: readonly number[],
    lengthscales: readonly number[],
    noises: readonly number[],
    D = distances(X),
  ): GaussianProcess {
    let best: GaussianProcess | null = null;
    for (const lengthscale of lengthscales) {
      for (const noise of noises) {
        const gp = GaussianProcess.fit(X, y, { lengthscale, noise }, D);
        if (!best || gp.logLik > best.logLik) best = gp;
      }
    }
    return best!;
  }
}

/** Standard normal density and distribution function. */
export function normPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}
export function normCdf(z: number): number {
  // Abramowitz-Stegun 7.1.26 on erf
  const t = 1 / (1 + 0.3275911 * (Math.abs(z) / Math.SQRT2));
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-(z * z) / 2);
  return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}
