// Bayesian optimisation over the architecture encoding: a Gaussian-process surrogate (squared-
// exponential kernel on the space's encode() vectors, hyperparameters by marginal likelihood, fitted
// by default to the normal scores of the results' ranks, which keeps a few collapsed networks from
// setting the scale and lets the model resolve the differences among the best) and an
// acquisition function (expected improvement, upper confidence bound or probability of improvement)
// maximised over a candidate pool: mutations (one or two steps) of the best architectures so far plus
// random samples, or the whole space when it is small enough (`exhaustive`). With several proposals in
// flight, each pending one enters the model with its predicted mean as a fantasy (kriging believer).
// Works on any space with encode()/mutate()/sample(): cells and chains alike.

import { trialScore } from '../engine/core/trial.js';
import type { Arch, Json, JsonObject, TrialRecord } from '../engine/core/types.js';
import { Rng } from '../engine/core/rng.js';
import type { Ask, Strategy, StrategyContext, StrategyDefinition } from '../engine/core/strategy.js';
import { PendingSet, checkSnapshot, toldChoices } from './lib/common.js';
import { GaussianProcess, type SparseVec, dist2, extendFactor, normCdf, normPdf, rbf, sparse } from './lib/gp.js';

export interface BayesianOptions {
  acquisition?: 'ei' | 'ucb' | 'pi';
  /** Exploration: EI/PI margin in standard deviations of the results; UCB multiplier. */
  xi?: number;
  kappa?: number;
  /** Random proposals before the surrogate is used. */
  initial?: number;
  /** The best `parents` results are mutated to make candidates. */
  parents?: number;
  /** Candidates per parent (alternately one and two mutation steps). */
  mutations?: number;
  /** Random candidates per ask. */
  random?: number;
  /** Score every architecture not yet evaluated when the space has at most this many. */
  exhaustive?: number;
  /** Refit the kernel hyperparameters every this many new results. */
  refit?: number;
  /** Scores as the GP sees them: as they are, as normal scores of their ranks, or -log(best - score). */
  transform?: 'none' | 'rank' | 'log';
  /** Most candidates per ask whose exact posterior deviation is computed (in order of their bound). */
  exact?: number;
}

/** The one home of the options' defaults: the schema shows them, the constructor falls back to them. */
export const BAYESIAN_DEFAULTS = {
  acquisition: 'ei' as 'ei' | 'ucb' | 'pi',
  xi: 0,
  kappa: 2,
  initial: 10,
  parents: 10,
  mutations: 30,
  random: 200,
  exhaustive: 20_000,
  refit: 10,
  transform: 'rank' as 'none' | 'rank' | 'log',
  exact: 300,
};

const TYPE = 'bayesian';
const VERSION = 1;
const LENGTHSCALES = [0.75, 1, 1.5, 2, 3];
const NOISES = [1e-3, 0.05];

interface Candidate {
  key: string;
  arch: Arch;
  mu: number;
  sdBound: number;
  k: () => Float64Array;
}

interface Obs {
  key: string;
  choices: number[];
  score: number | null;
}

export class BayesianStrategy implements Strategy {
  private readonly acq: 'ei' | 'ucb' | 'pi';
  private readonly xi: number;
  private readonly kappa: number;
  private readonly initial: number;
  private readonly parents: number;
  private readonly mutations: number;
  private readonly randomN: number;
  private readonly exhaustive: number;
  private readonly refitEvery: number;
  private readonly exactN: number;
  private readonly transform: 'none' | 'rank' | 'log';

  private rng: Rng;
  private obs: Obs[] = [];
  private seen = new Set<string>();
  private pending = new PendingSet();
  private queue: number[][] = [];
  private hyper: { lengthscale: number; noise: number } | null = null;
  private fittedAt = 0;
  private enc = new Map<string, SparseVec>();
  private all: { key: string; arch: Arch; x: SparseVec }[] | null = null;
  /** Column i: squared distances from observation i to every architecture of `all` (not snapshotted). */
  private cols: (Uint8Array | Float32Array)[] = [];
  /** Row i: squared distances from observation i to observations 0..i-1 (not snapshotted). */
  private dcache: Float64Array[] = [];
  /** Cholesky factor of the observations' covariance under `hyper` (not snapshotted). */
  private factor: { n: number; L: Float64Array } | null = null;

  constructor(
    options: BayesianOptions,
    private readonly ctx: StrategyContext,
  ) {
    this.acq = options.acquisition ?? BAYESIAN_DEFAULTS.acquisition;
    this.xi = options.xi ?? BAYESIAN_DEFAULTS.xi;
    this.kappa = options.kappa ?? BAYESIAN_DEFAULTS.kappa;
    this.initial = options.initial ?? BAYESIAN_DEFAULTS.initial;
    this.parents = options.parents ?? BAYESIAN_DEFAULTS.parents;
    this.mutations = options.mutations ?? BAYESIAN_DEFAULTS.mutations;
    this.randomN = options.random ?? BAYESIAN_DEFAULTS.random;
    this.exhaustive = options.exhaustive ?? BAYESIAN_DEFAULTS.exhaustive;
    this.refitEvery = options.refit ?? BAYESIAN_DEFAULTS.refit;
    this.exactN = options.exact ?? BAYESIAN_DEFAULTS.exact;
    this.transform = options.transform ?? BAYESIAN_DEFAULTS.transform;
    this.rng = new Rng(ctx.seed);
    for (const o of ctx.warmStart?.observations ?? []) {
      const arch = ctx.space.validate(o.arch);
      const key = ctx.space.key(arch);
      if (this.seen.has(key) || !Number.isFinite(o.score)) continue;
      this.seen.add(key);
      this.obs.push({ key, choices: ctx.space.choicesOf(arch), score: o.score });
    }
    for (const a of ctx.warmStart?.archs ?? []) this.queue.push(ctx.space.choicesOf(ctx.space.validate(a)));
  }

  private encoding(key: string, arch: Arch): SparseVec {
    let e = this.enc.get(key);
    if (!e) {
      e = sparse(this.ctx.space.encode(arch));
      this.enc.set(key, e);
    }
    return e;
  }

  private fresh(key: string): boolean {
    return !this.seen.has(key) && !this.pending.has(key);
  }

  ask(): Ask {
    const space = this.ctx.space;
    while (this.queue.length) {
      const choices = this.queue.shift()!;
      const key = space.key(space.decode(choices));
      if (this.fresh(key)) return this.propose(choices, key, null, { source: 'warm-start' });
    }
    const size = space.size();
    if (Number.isFinite(size) && this.seen.size + this.pending.size >= size) {
      return this.pending.size ? { wait: true } : { done: true };
    }
    const scored = this.obs.filter((o) => o.score !== null);
    if (this.obs.length + this.pending.size < this.initial || scored.length < 2) {
      for (let t = 0; t < 1000; t++) {
        const arch = space.sample(this.rng, this.ctx.warmStart?.priors);
        const key = space.key(arch);
        if (this.fresh(key)) return this.propose(space.choicesOf(arch), key, null, { source: 'initial' });
      }
    }
    return this.acquire();
  }

  private acquire(): Ask {
    const space = this.ctx.space;
    // training data: results (failed ones as the worst result) plus fantasies for pending proposals
    let worst = Infinity;
    for (const o of this.obs) if (o.score !== null && o.score < worst) worst = o.score;
    const X: SparseVec[] = [];
    const raw: number[] = [];
    for (const o of this.obs) {
      X.push(this.encoding(o.key, space.decode(o.choices)));
      raw.push(o.score ?? worst);
    }
    const y = transformScores(raw, this.transform);
    const nObs = X.length;
    this.factorObservations(X, y);
    let L = this.factor!.L;
    let gp = new GaussianProcess(X.slice(), y.slice(), this.hyper!, L);
    // proposals in flight enter as fantasies at the current posterior mean (kriging believer)
    const fantasies: { x: SparseVec; mu: number }[] = [];
    for (const [key, list] of this.pending.entries()) {
      if (list.some((p) => p.tag !== null)) {
        const x = this.encoding(key, space.decode(list[0].choices));
        fantasies.push({ x, mu: gp.predict(x).mu });
      }
    }
    if (fantasies.length) {
      for (const f of fantasies) {
        const k = Float64Array.from(X, (xi) => rbf(dist2(f.x, xi), this.hyper!.lengthscale));
        const ext = extendFactor(L, X.length, k, this.hyper!);
        if (!ext) continue; // (numerically) a copy of a training point: adds nothing
        L = ext;
        X.push(f.x);
        y.push(f.mu);
      }
      gp = new GaussianProcess(X, y, this.hyper!, L);
    }

    let best = -Infinity;
    for (let i = 0; i < nObs; i++) if (this.obs[i].score !== null && y[i] > best) best = y[i];
    const sdY = gp.priorSd;
    // posterior means of every candidate, then exact acquisition values in decreasing order of the
    // mean, skipping those whose upper bound (prior or nearest-point standard deviation) cannot win
    const scored = this.useAll() ? this.scoreAll(gp, X, nObs) : this.scorePool(gp);
    // EI and UCB grow with the standard deviation: rank by the value at its upper bound, compute exact
    // values in that order and stop when no bound can beat the best exact value
    const prune = this.acq !== 'pi';
    const bounded = scored.map((c) => ({ c, ub: prune ? this.acquisition(c.mu, c.sdBound, best, sdY) : 0 }));
    if (prune) bounded.sort((a, b) => b.ub - a.ub);
    let top: { key: string; arch: Arch; a: number; mu: number } | null = null;
    let exact = 0;
    for (const { c, ub } of bounded) {
      if (top && prune && ub <= top.a) break;
      // exact values for at most `exact` candidates (the rest are ranked by their upper bounds only)
      if (top && ++exact > this.exactN) break;
      const a = this.acquisition(c.mu, gp.sd(c.k()), best, sdY);
      if (!top || a > top.a) top = { key: c.key, arch: c.arch, a, mu: c.mu };
    }
    if (!top) {
      // the candidate pool was empty: fall back to a random architecture not seen yet
      for (let t = 0; t < 10_000; t++) {
        const arch = space.sample(this.rng);
        const key = space.key(arch);
        if (this.fresh(key)) return this.propose(space.choicesOf(arch), key, null, { source: 'random' });
      }
      return { wait: true };
    }
    return this.propose(space.choicesOf(top.arch), top.key, 1, {
      source: 'acquisition',
      acquisition: top.a,
      predicted: top.mu,
    });
  }

  private useAll(): boolean {
    const size = this.ctx.space.size();
    return Number.isFinite(size) && size <= this.exhaustive;
  }

  /** Candidates from mutations and random samples, with their posterior means. */
  private scorePool(gp: GaussianProcess): Candidate[] {
    const out: Candidate[] = [];
    for (const c of this.candidates()) {
      const { k, mu, sdBound } = gp.mean_(this.encoding(c.key, c.arch));
      out.push({ key: c.key, arch: c.arch, mu, sdBound, k: () => k });
    }
    return out;
  }

  /**
   * Every architecture not evaluated yet, with its posterior mean. The squared distances from each
   * observation to every architecture are computed once and kept (one column per observation).
   */
  private scoreAll(gp: GaussianProcess, X: SparseVec[], nObs: number): Candidate[] {
    const space = this.ctx.space;
    if (!this.all) {
      this.all = [];
      for (const arch of space.enumerate()) {
        const key = space.key(arch);
        this.all.push({ key, arch, x: this.encodeOnly(arch) });
      }
    }
    const all = this.all;
    const N = all.length;
    const cols: (Uint8Array | Float32Array)[] = [];
    for (let i = 0; i < X.length; i++) {
      let col = i < nObs ? this.cols[i] : undefined;
      if (!col) {
        // one-hot codes give small integer squared distances: keep them as bytes (a lookup table below)
        const f = new Float32Array(N);
        let integral = true;
        for (let c = 0; c < N; c++) {
          const d = dist2(X[i], all[c].x);
          f[c] = d;
          if (integral && !(Number.isInteger(d) && d < 255)) integral = false;
        }
        col = integral ? Uint8Array.from(f) : f;
        if (i < nObs) this.cols[i] = col;
      }
      cols.push(col);
    }
    const table = new Float64Array(256);
    for (let d = 0; d < 256; d++) table[d] = gp.kernel(d);
    const w = gp.weights;
    const acc = new Float64Array(N);
    const dmin = new Float64Array(N).fill(Infinity);
    for (let i = 0; i < cols.length; i++) {
      const col = cols[i];
      const wi = w[i];
      if (col instanceof Uint8Array) {
        for (let c = 0; c < N; c++) {
          const d = col[c];
          acc[c] += table[d] * wi;
          if (d < dmin[c]) dmin[c] = d;
        }
      } else {
        for (let c = 0; c < N; c++) {
          const d = col[c];
          acc[c] += gp.kernel(d) * wi;
          if (d < dmin[c]) dmin[c] = d;
        }
      }
    }
    const kern = (col: Uint8Array | Float32Array, c: number) =>
      col instanceof Uint8Array ? table[col[c]] : gp.kernel(col[c]);
    const out: Candidate[] = [];
    const scale = gp.priorSd;
    const noise = gp.hyper.noise;
    for (let c = 0; c < N; c++) {
      const { key, arch } = all[c];
      if (!this.fresh(key)) continue;
      const kmax = Number.isFinite(dmin[c]) ? gp.kernel(dmin[c]) : 0;
      const bound = 1 - (kmax * kmax) / (1 + noise);
      out.push({
        key,
        arch,
        mu: gp.yMean + scale * acc[c],
        sdBound: scale * Math.sqrt(Math.max(bound, 0)) + 1e-12,
        k: () => Float64Array.from(cols, (col) => kern(col, c)),
      });
    }
    return out;
  }

  private encodeOnly(arch: Arch): SparseVec {
    return sparse(this.ctx.space.encode(arch));
  }

  /**
   * Factorises the observations' covariance, refitting the kernel hyperparameters on a grid every
   * `refit` results. (Always from scratch, O(n^3): the same state gives the same numbers, so a
   * restored snapshot continues exactly like the original.)
   */
  private factorObservations(X: SparseVec[], y: number[]): void {
    const n = X.length;
    const D = this.distanceMatrix(X);
    const gp =
      !this.hyper || n - this.fittedAt >= this.refitEvery
        ? GaussianProcess.best(X, y, LENGTHSCALES, NOISES, D)
        : GaussianProcess.fit(X, y, this.hyper, D);
    if (!this.hyper || n - this.fittedAt >= this.refitEvery) this.fittedAt = n;
    this.hyper = { ...gp.hyper };
    this.factor = { n, L: gp.L };
  }

  /** Squared distances between training points; rows of earlier observations are cached. */
  private distanceMatrix(X: SparseVec[]): Float64Array {
    const n = X.length;
    const nObs = this.obs.length;
    const D = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      let row = i < nObs ? this.dcache[i] : undefined;
      if (!row) {
        row = new Float64Array(i);
        for (let j = 0; j < i; j++) row[j] = dist2(X[i], X[j]);
        if (i < nObs) this.dcache[i] = row;
      }
      for (let j = 0; j < i; j++) D[i * n + j] = D[j * n + i] = row[j];
    }
    return D;
  }

  private acquisition(mu: number, sd: number, best: number, sdY: number): number {
    if (this.acq === 'ucb') return mu + this.kappa * sd;
    const imp = mu - best - this.xi * sdY;
    const z = imp / sd;
    if (this.acq === 'pi') return normCdf(z);
    return imp * normCdf(z) + sd * normPdf(z);
  }

  private *candidates(): Iterable<{ key: string; arch: Arch }> {
    const space = this.ctx.space;
    const done = new Set<string>();
    const parents = this.obs
      .filter((o) => o.score !== null)
      .sort((a, b) => (b.score as number) - (a.score as number))
      .slice(0, this.parents);
    for (const p of parents) {
      const parent = space.decode(p.choices);
      for (let m = 0; m < this.mutations; m++) {
        let arch = space.mutate(parent, this.rng);
        if (m % 2 === 1) arch = space.mutate(arch, this.rng);
        const key = space.key(arch);
        if (done.has(key) || !this.fresh(key)) continue;
        done.add(key);
        yield { key, arch };
      }
    }
    for (let r = 0; r < this.randomN; r++) {
      const arch = space.sample(this.rng, this.ctx.warmStart?.priors);
      const key = space.key(arch);
      if (done.has(key) || !this.fresh(key)) continue;
      done.add(key);
      yield { key, arch };
    }
  }

  private propose(choices: number[], key: string, predicted: number | null, info: JsonObject): Ask {
    this.pending.add(key, choices, predicted);
    return { arch: this.ctx.space.decode(choices), info };
  }

  tell(trial: TrialRecord): void {
    const space = this.ctx.space;
    const p = this.pending.take(trial.key);
    if (this.seen.has(trial.key)) return; // a duplicate: its result is already an observation
    const choices = toldChoices(space, p, trial.arch);
    this.seen.add(trial.key);
    this.obs.push({ key: trial.key, choices, score: trialScore(this.ctx.objective, trial) });
  }

  snapshot(): Json {
    return {
      type: TYPE,
      version: VERSION,
      rng: this.rng.state(),
      obs: this.obs.map((o) => [o.key, o.choices, o.score]),
      pending: this.pending.toJson(),
      queue: this.queue,
      hyper: this.hyper,
      fittedAt: this.fittedAt,
    } as Json;
  }

  restore(state: Json): void {
    const s = checkSnapshot(state, TYPE, VERSION);
    this.rng = Rng.fromState(s.rng as [number, number, number, number]);
    this.obs = (s.obs as [string, number[], number | null][]).map(([key, choices, score]) => ({
      key,
      choices: [...choices],
      score,
    }));
    this.seen = new Set(this.obs.map((o) => o.key));
    this.dcache = [];
    this.factor = null;
    this.cols = [];
    this.pending = PendingSet.fromJson(s.pending);
    this.queue = (s.queue as number[][]).map((c) => [...c]);
    this.hyper = s.hyper === null ? null : { ...(s.hyper as { lengthscale: number; noise: number }) };
    this.fittedAt = s.fittedAt as number;
  }
}

/** Inverse standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9). */
export function normInv(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    );
  }
  if (p > 1 - lo) return -normInv(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}

/** The scores as the surrogate models them (order-preserving). */
export function transformScores(y: readonly number[], how: 'none' | 'rank' | 'log'): number[] {
  const n = y.length;
  if (how === 'none' || n < 2) return [...y];
  if (how === 'log') {
    let max = -Infinity,
      min = Infinity;
    for (const v of y) {
      if (v > max) max = v;
      if (v < min) min = v;
    }
    const margin = Math.max((max - min) * 1e-3, 1e-12);
    return y.map((v) => -Math.log(max - v + margin));
  }
  // ranks (ties share their mean rank) -> normal scores
  const order = y.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(n);
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && order[j + 1][0] === order[i][0]) j++;
    const z = normInv(((i + j) / 2 + 0.5) / n);
    for (let k = i; k <= j; k++) out[order[k][1]] = z;
    i = j + 1;
  }
  return out;
}

export const bayesian: StrategyDefinition<BayesianOptions> = {
  type: TYPE,
  description:
    'Bayesian optimisation: a Gaussian-process surrogate over the architecture encoding, an acquisition function ' +
    '(EI, UCB, PI) over mutations of the best and random samples (or the whole space when small)',
  optionsSchema: {
    type: 'object',
    properties: {
      acquisition: {
        type: 'string',
        enum: ['ei', 'ucb', 'pi'],
        default: BAYESIAN_DEFAULTS.acquisition,
        description: 'expected improvement, upper confidence bound or probability of improvement',
      },
      xi: {
        type: 'number',
        minimum: 0,
        default: BAYESIAN_DEFAULTS.xi,
        description: 'EI/PI margin, in standard deviations of the results',
      },
      kappa: { type: 'number', minimum: 0, default: BAYESIAN_DEFAULTS.kappa, description: 'UCB exploration weight' },
      initial: {
        type: 'integer',
        minimum: 1,
        default: BAYESIAN_DEFAULTS.initial,
        description: 'random proposals before the surrogate',
      },
      parents: {
        type: 'integer',
        minimum: 1,
        default: BAYESIAN_DEFAULTS.parents,
        description: 'best results mutated into candidates',
      },
      mutations: {
        type: 'integer',
        minimum: 0,
        default: BAYESIAN_DEFAULTS.mutations,
        description: 'candidates per parent',
      },
      random: {
        type: 'integer',
        minimum: 0,
        default: BAYESIAN_DEFAULTS.random,
        description: 'random candidates per ask',
      },
      exhaustive: {
        type: 'integer',
        minimum: 0,
        default: BAYESIAN_DEFAULTS.exhaustive,
        description: 'score the whole space when it has at most this many architectures',
      },
      refit: {
        type: 'integer',
        minimum: 1,
        default: BAYESIAN_DEFAULTS.refit,
        description: 'refit kernel hyperparameters every this many results',
      },
      transform: {
        type: 'string',
        enum: ['none', 'rank', 'log'],
        default: BAYESIAN_DEFAULTS.transform,
        description:
          'scores as the model sees them: unchanged, normal scores of their ranks, or -log(best - score + margin)',
      },
      exact: {
        type: 'integer',
        minimum: 1,
        default: BAYESIAN_DEFAULTS.exact,
        description: 'most candidates per ask scored with the exact posterior deviation',
      },
    },
    additionalProperties: false,
  },
  create: (options, ctx) => new BayesianStrategy(options ?? {}, ctx),
};
