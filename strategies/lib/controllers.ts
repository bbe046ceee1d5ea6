// Policy controllers for REINFORCE over a space's decisions, in plain TypeScript with exact gradients
// (deterministic, no tensor backend, parameters are one flat Float64Array so snapshots are plain
// number arrays):
// - LogitsController: one independent categorical distribution (a logits vector) per decision name.
// - LstmController: an ENAS-style LSTM that reads the previous choice's embedding and emits each
//   decision's logits through a per-decision head, with backpropagation through time.
// Both return, for a complete choice sequence, the gradient of adv * log pi(choices) + beta * H,
// where H is the summed entropy of the categorical distributions along the sequence.

import type { Rng } from '../../engine/core/rng.js';
import type { Decision, SearchSpace } from '../../engine/core/space.js';
import { walk } from '../../engine/space/tree.js';
import { softmax } from './common.js';

export interface Controller {
  readonly params: Float64Array;
  /** Samples a complete choice sequence. */
  sample(rng: Rng): number[];
  /** Adds d/dparams [adv * log pi(choices) + beta * entropy] into `grad`; returns log pi(choices). */
  accumulate(choices: readonly number[], adv: number, beta: number, grad: Float64Array): number;
  /** Choice probabilities of every decision along `choices` (for inspection). */
  probabilities(choices: readonly number[]): number[][];
}

/** d/dz of [adv * log p_a + beta * H(p)] for p = softmax(z) (over the logits before temperature). */
function logitGrad(p: readonly number[], a: number, adv: number, beta: number, out: number[]): void {
  let H = 0;
  for (const pj of p) if (pj > 0) H -= pj * Math.log(pj);
  for (let j = 0; j < p.length; j++) {
    const lp = p[j] > 0 ? Math.log(p[j]) : -745;
    out[j] = adv * ((j === a ? 1 : 0) - p[j]) - beta * p[j] * (lp + H);
  }
}

function decisionIndex(space: SearchSpace): { all: readonly Decision[]; index: Map<string, number> } {
  const all = space.decisions();
  const index = new Map<string, number>();
  all.forEach((d, i) => index.set(d.name, i));
  return { all, index };
}

export class LogitsController implements Controller {
  readonly params: Float64Array;
  private offsets: number[] = [];
  private index: Map<string, number>;

  constructor(
    private readonly space: SearchSpace,
    priors?: Record<string, readonly number[]>,
  ) {
    const { all, index } = decisionIndex(space);
    this.index = index;
    let n = 0;
    for (const d of all) {
      this.offsets.push(n);
      n += d.choices.length;
    }
    this.params = new Float64Array(n);
    // priors become initial logits (log of the normalised weights)
    all.forEach((d, i) => {
      const w = priors?.[d.name];
      if (!w || w.length !== d.choices.length) return;
      const s = w.reduce((a, b) => a + Math.max(b, 0), 0);
      if (!(s > 0)) return;
      for (let j = 0; j < w.length; j++) this.params[this.offsets[i] + j] = Math.log(Math.max(w[j] / s, 1e-3));
    });
  }

  private probs(d: Decision): { p: number[]; off: number } {
    const i = this.index.get(d.name);
    if (i === undefined) throw new Error(`decision ${d.name} not in the space's decisions()`);
    const off = this.offsets[i];
    return { p: softmax(Array.from(this.params.subarray(off, off + d.choices.length))), off };
  }

  sample(rng: Rng): number[] {
    return walk(this.space, (d) => rng.weighted(this.probs(d).p));
  }

  accumulate(choices: readonly number[], adv: number, beta: number, grad: Float64Array): number {
    let logp = 0;
    const g: number[] = [];
    for (let t = 0; t < choices.length; t++) {
      const d = this.space.next(choices.slice(0, t));
      if (!d) break;
      const { p, off } = this.probs(d);
      logp += Math.log(p[choices[t]]);
      g.length = p.length;
      logitGrad(p, choices[t], adv, beta, g);
      for (let j = 0; j < p.length; j++) grad[off + j] += g[j];
    }
    return logp;
  }

  probabilities(choices: readonly number[]): number[][] {
    const out: number[][] = [];
    for (let t = 0; t < choices.length; t++) {
      const d = this.space.next(choices.slice(0, t));
      if (!d) break;
      out.push(this.probs(d).p);
    }
    return out;
  }
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

interface StepCache {
  d: number; // decision index
  xOff: number; // offset of the input embedding in params
  z: Float64Array; // [x; hPrev]
  i: Float64Array;
  f: Float64Array;
  o: Float64Array;
  g: Float64Array;
  cPrev: Float64Array;
  c: Float64Array;
  tc: Float64Array; // tanh(c)
  h: Float64Array;
  p: number[];
}

export class LstmController implements Controller {
  readonly params: Float64Array;
  private readonly H: number;
  private readonly E: number;
  private readonly all: readonly Decision[];
  private readonly index: Map<string, number>;
  // offsets into params
  private readonly W: number; // 4H x (E+H), row-major
  private readonly b: number; // 4H
  private readonly start: number; // E
  private readonly emb: number[] = []; // per decision: choices x E
  private readonly out: number[] = []; // per decision: choices x H, then choices biases

  constructor(
    private readonly space: SearchSpace,
    rng: Rng,
    hidden = 32,
    embedding = 16,
    private readonly tanhC = 2.5,
  ) {
    this.H = hidden;
    this.E = embedding;
    const { all, index } = decisionIndex(space);
    this.all = all;
    this.index = index;
    const H = hidden,
      E = embedding;
    let n = 0;
    this.W = n;
    n += 4 * H * (E + H);
    this.b = n;
    n += 4 * H;
    this.start = n;
    n += E;
    for (const d of all) {
      this.emb.push(n);
      n += d.choices.length * E;
    }
    for (const d of all) {
      this.out.push(n);
      n += d.choices.length * (H + 1);
    }
    this.params = new Float64Array(n);
    for (let k = 0; k < n; k++) this.params[k] = (rng.next() * 2 - 1) * 0.1;
    for (const d of all) {
      // output biases start at zero: a uniform policy
      const i = this.index.get(d.name)!;
      const ob = this.out[i] + d.choices.length * H;
      for (let j = 0; j < d.choices.length; j++) this.params[ob + j] = 0;
    }
  }

  private step(dName: string, xOff: number, hPrev: Float64Array, cPrev: Float64Array): StepCache {
    const H = this.H,
      E = this.E,
      P = this.params;
    const d = this.index.get(dName);
    if (d === undefined) throw new Error(`decision ${dName} not in the space's decisions()`);
    const Z = E + H;
    const z = new Float64Array(Z);
    for (let k = 0; k < E; k++) z[k] = P[xOff + k];
    z.set(hPrev, E);
    const gates = new Float64Array(4 * H);
    for (let r = 0; r < 4 * H; r++) {
      let s = P[this.b + r];
      const row = this.W + r * Z;
      for (let k = 0; k < Z; k++) s += P[row + k] * z[k];
      gates[r] = s;
    }
    const i = new Float64Array(H),
      f = new Float64Array(H),
      o = new Float64Array(H),
      g = new Float64Array(H),
      c = new Float64Array(H),
      tc = new Float64Array(H),
      h = new Float64Array(H);
    for (let k = 0; k < H; k++) {
      i[k] = sigmoid(gates[k]);
      f[k] = sigmoid(gates[H + k] + 1); // forget-gate bias of 1
      o[k] = sigmoid(gates[2 * H + k]);
      g[k] = Math.tanh(gates[3 * H + k]);
      c[k] = f[k] * cPrev[k] + i[k] * g[k];
      tc[k] = Math.tanh(c[k]);
      h[k] = o[k] * tc[k];
    }
    const nC = this.all[d].choices.length;
    const ow = this.out[d],
      ob = ow + nC * H;
    const logits: number[] = [];
    for (let j = 0; j < nC; j++) {
      let s = P[ob + j];
      for (let k = 0; k < H; k++) s += P[ow + j * H + k] * h[k];
      logits.push(this.tanhC > 0 ? this.tanhC * Math.tanh(s / this.tanhC) : s);
    }
    return { d, xOff, z, i, f, o, g, cPrev, c, tc, h, p: softmax(logits) };
  }

  /** Runs the controller along `choices` (or samples them when `rng` is given). */
  private run(choices: readonly number[] | null, rng: Rng | null): { choices: number[]; steps: StepCache[] } {
    let h: Float64Array = new Float64Array(this.H),
      c: Float64Array = new Float64Array(this.H);
    let xOff = this.start;
    const steps: StepCache[] = [];
    const taken: number[] = [];
    const pick = (d: Decision, prefix: readonly number[]) => {
      const st = this.step(d.name, xOff, h, c);
      steps.push(st);
      const a = choices ? choices[prefix.length] : rng!.weighted(st.p);
      h = st.h;
      c = st.c;
      xOff = this.emb[st.d] + a * this.E;
      return a;
    };
    if (choices) {
      for (let t = 0; t < choices.length; t++) {
        const d = this.space.next(choices.slice(0, t));
        if (!d) break;
        taken.push(pick(d, taken));
      }
      return { choices: taken, steps };
    }
    return { choices: walk(this.space, pick), steps };
  }

  sample(rng: Rng): number[] {
    return this.run(null, rng).choices;
  }

  probabilities(choices: readonly number[]): number[][] {
    return this.run(choices, null).steps.map((s) => s.p);
  }

  accumulate(choices: readonly number[], adv: number, beta: number, grad: Float64Array): number {
    const { steps } = this.run(choices, null);
    const H = this.H,
      E = this.E,
      Z = E + H,
      P = this.params;
    let logp = 0;
    let dhNext: Float64Array = new Float64Array(H),
      dcNext: Float64Array = new Float64Array(H);
    const gl: number[] = [];
    for (let t = steps.length - 1; t >= 0; t--) {
      const st = steps[t];
      const a = choices[t];
      logp += Math.log(st.p[a]);
      const nC = st.p.length;
      gl.length = nC;
      logitGrad(st.p, a, adv, beta, gl);
      const ow = this.out[st.d],
        ob = ow + nC * H;
      const dh = new Float64Array(dhNext);
      for (let j = 0; j < nC; j++) {
        // through the tanh squashing of the logits
        let s = P[ob + j];
        for (let k = 0; k < H; k++) s += P[ow + j * H + k] * st.h[k];
        const dz = this.tanhC > 0 ? gl[j] * (1 - Math.tanh(s / this.tanhC) ** 2) : gl[j];
        grad[ob + j] += dz;
        for (let k = 0; k < H; k++) {
          grad[ow + j * H + k] += dz * st.h[k];
          dh[k] += dz * P[ow + j * H + k];
        }
      }
      const dgates = new Float64Array(4 * H);
      const dcPrev = new Float64Array(H);
      for (let k = 0; k < H; k++) {
        const dc = dh[k] * st.o[k] * (1 - st.tc[k] * st.tc[k]) + dcNext[k];
        dgates[k] = dc * st.g[k] * st.i[k] * (1 - st.i[k]);
        dgates[H + k] = dc * st.cPrev[k] * st.f[k] * (1 - st.f[k]);
        dgates[2 * H + k] = dh[k] * st.tc[k] * st.o[k] * (1 - st.o[k]);
        dgates[3 * H + k] = dc * st.i[k] * (1 - st.g[k] * st.g[k]);
        dcPrev[k] = dc * st.f[k];
      }
      const dz = new Float64Array(Z);
      for (let r = 0; r < 4 * H; r++) {
        const gr = dgates[r];
        if (gr === 0) continue;
        grad[this.b + r] += gr;
        const row = this.W + r * Z;
        for (let k = 0; k < Z; k++) {
          grad[row + k] += gr * st.z[k];
          dz[k] += gr * P[row + k];
        }
      }
      for (let k = 0; k < E; k++) grad[st.xOff + k] += dz[k];
      dhNext = dz.slice(E);
      dcNext = dcPrev;
    }
    return logp;
  }
}

/** Adam over a flat parameter vector; `ascend` adds the step (gradient ascent). */
export class Adam {
  m: Float64Array;
  v: Float64Array;
  t = 0;
  constructor(
    n: number,
    private readonly lr: number,
    private readonly b1 = 0.9,
    private readonly b2 = 0.999,
    private readonly eps = 1e-8,
  ) {
    this.m = new Float64Array(n);
    this.v = new Float64Array(n);
  }

  ascend(params: Float64Array, grad: Float64Array): void {
    this.t++;
    const c1 = 1 - this.b1 ** this.t,
      c2 = 1 - this.b2 ** this.t;
    for (let k = 0; k < params.length; k++) {
      this.m[k] = this.b1 * this.m[k] + (1 - this.b1) * grad[k];
      this.v[k] = this.b2 * this.v[k] + (1 - this.b2) * grad[k] * grad[k];
      params[k] += (this.lr * (this.m[k] / c1)) / (Math.sqrt(this.v[k] / c2) + this.eps);
    }
  }
}
