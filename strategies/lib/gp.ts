// A small Gaussian process over sparse feature vectors (architecture encodings), in plain TypeScript:
// squared-exponential kernel on the Euclidean distance, Cholesky solve, hyperparameters (length
// scale, noise) picked from a grid by the log marginal likelihood. Targets are standardised inside.

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

/** In-place Cholesky of an n x n SPD matrix (row-major); returns false when not positive definite. */
export function cholesky(A: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let s = A[j * n + j];
    for (let k = 0; k < j; k++) s -= A[j * n + k] * A[j * n + k];
    if (!(s > 0)) return false;
    const d = Math.sqrt(s);
    A[j * n + j] = d;
    for (let i = j + 1; i < n; i++) {
      let t = A[i * n + j];
      for (let k = 0; k < j; k++) t -= A[i * n + k] * A[j * n + k];
      A[i * n + j] = t / d;
    }
    for (let k = j + 1; k < n; k++) A[j * n + k] = 0;
  }
  return true;
}

/** Solves L x = b (L lower triangular). */
export function forward(L: Float64Array, n: number, b: Float64Array): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * x[k];
    x[i] = s / L[i * n + i];
  }
  return x;
}

/** Solves L^T x = b. */
export function backward(L: Float64Array, n: number, b: Float64Array): Float64Array {
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k];
    x[i] = s / L[i * n + i];
  }
  return x;
}

export interface GpHyper {
  lengthscale: number;
  noise: number;
}

export class GaussianProcess {
  private L!: Float64Array;
  private alpha!: Float64Array;
  private n = 0;
  private mean = 0;
  private scale = 1;
  logLik = -Infinity;

  constructor(
    private readonly X: SparseVec[],
    y: readonly number[],
    readonly hyper: GpHyper,
  ) {
    this.fit(y);
  }

  kernel(d2: number): number {
    return Math.exp(-d2 / (2 * this.hyper.lengthscale * this.hyper.lengthscale));
  }

  private fit(y: readonly number[]): void {
    const n = (this.n = this.X.length);
    const m = y.reduce((a, b) => a + b, 0) / Math.max(n, 1);
    const v = y.reduce((a, b) => a + (b - m) * (b - m), 0) / Math.max(n - 1, 1);
    this.mean = m;
    this.scale = v > 0 ? Math.sqrt(v) : 1;
    const ys = Float64Array.from(y, (t) => (t - this.mean) / this.scale);
    let jitter = this.hyper.noise;
    for (let attempt = 0; attempt < 6; attempt++) {
      const K = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        K[i * n + i] = 1 + jitter;
        for (let j = 0; j < i; j++) K[i * n + j] = K[j * n + i] = this.kernel(dist2(this.X[i], this.X[j]));
      }
      if (cholesky(K, n)) {
        this.L = K;
        break;
      }
      jitter = Math.max(jitter * 10, 1e-6);
    }
    if (!this.L) throw new Error('GP: covariance not positive definite');
    this.alpha = backward(this.L, n, forward(this.L, n, ys));
    let ll = 0;
    for (let i = 0; i < n; i++) ll -= Math.log(this.L[i * n + i]) + 0.5 * ys[i] * this.alpha[i];
    this.logLik = ll - 0.5 * n * Math.log(2 * Math.PI);
  }

  /** Posterior mean and standard deviation (in the units of y) at x. */
  predict(x: SparseVec): { mu: number; sd: number } {
    const n = this.n;
    const k = new Float64Array(n);
    let mu = 0;
    for (let i = 0; i < n; i++) {
      k[i] = this.kernel(dist2(x, this.X[i]));
      mu += k[i] * this.alpha[i];
    }
    const v = forward(this.L, n, k);
    let s = 1;
    for (let i = 0; i < n; i++) s -= v[i] * v[i];
    return { mu: this.mean + this.scale * mu, sd: this.scale * Math.sqrt(Math.max(s, 1e-12)) };
  }

  /** Fits one GP per grid point and keeps the one with the highest marginal likelihood. */
  static best(X: SparseVec[], y: readonly number[], lengthscales: readonly number[], noises: readonly number[]): GaussianProcess {
    let best: GaussianProcess | null = null;
    for (const lengthscale of lengthscales) {
      for (const noise of noises) {
        const gp = new GaussianProcess(X, y, { lengthscale, noise });
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
