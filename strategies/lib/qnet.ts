// The Q-network of q-learning's `q_function: network` (DQN, Mnih et al. 2015, over MetaQNN's
// decision states): a small MLP Q(s, a) over the encoding of (state = decision prefix, action),
// trained towards the seed's target r + gamma max_a' Q_target(s', a') (r only at the last step) by
// Adam steps on the squared error over replayed transitions; the target network is a copy refreshed
// every `targetEvery` updates. Plain TypeScript with exact gradients (as controllers.ts): deterministic
// and cheap for spaces of tens of decisions, and its state is plain numbers for snapshots.

import type { Rng } from '../../engine/core/rng.js';
import type { SearchSpace } from '../../engine/core/space.js';
import { Adam } from './controllers.js';

/** Fixed-length encoding of (prefix, action): one-hot prefix choices per decision, then the action's one-hot slot. */
export class PairEncoder {
  readonly size: number;
  private readonly offsets = new Map<string, number>();
  private readonly width: number;

  constructor(private readonly space: SearchSpace) {
    let n = 0;
    for (const d of space.decisions()) {
      this.offsets.set(d.name, n);
      n += d.choices.length;
    }
    this.width = n;
    this.size = 2 * n;
  }

  /** Features of taking `action` after `prefix`; `names` are the decisions along the prefix and the current one. */
  encode(prefix: readonly number[], names: readonly string[], action: number): Float64Array {
    const x = new Float64Array(this.size);
    prefix.forEach((c, i) => (x[this.offsets.get(names[i])! + c] = 1));
    x[this.width + this.offsets.get(names[prefix.length])! + action] = 1;
    return x;
  }
}

export interface QNetState {
  params: number[];
  target: number[];
  m: number[];
  v: number[];
  t: number;
  updates: number;
}

export class QNetwork {
  params: Float64Array;
  private target: Float64Array;
  private adam: Adam;
  updates = 0;
  private readonly w1 = 0;
  private readonly b1: number;
  private readonly w2: number;
  private readonly b2: number;

  constructor(
    private readonly inputs: number,
    private readonly hidden: number,
    learningRate: number,
    private readonly targetEvery: number,
    rng: Rng,
  ) {
    this.b1 = inputs * hidden;
    this.w2 = this.b1 + hidden;
    this.b2 = this.w2 + hidden;
    const n = this.b2 + 1;
    this.params = new Float64Array(n);
    const limit = Math.sqrt(6 / (inputs + hidden));
    for (let k = 0; k < this.b1; k++) this.params[k] = (rng.next() * 2 - 1) * limit;
    for (let k = this.w2; k < this.b2; k++) this.params[k] = (rng.next() * 2 - 1) * Math.sqrt(6 / (hidden + 1));
    this.target = this.params.slice();
    this.adam = new Adam(n, learningRate);
  }

  private forward(p: Float64Array, x: Float64Array, h?: Float64Array): number {
    const H = this.hidden;
    let out = p[this.b2];
    for (let j = 0; j < H; j++) {
      let s = p[this.b1 + j];
      for (let i = 0; i < this.inputs; i++) if (x[i] !== 0) s += p[this.w1 + i * H + j] * x[i];
      const a = s > 0 ? s : 0;
      if (h) h[j] = a;
      out += p[this.w2 + j] * a;
    }
    return out;
  }

  /** Q(s, a) of the online network. */
  q(x: Float64Array): number {
    return this.forward(this.params, x);
  }

  /** Q(s, a) of the target network (for r + gamma max Q_target). */
  qTarget(x: Float64Array): number {
    return this.forward(this.target, x);
  }

  /** One Adam step on mean (Q(x) - y)^2 / 2 over the batch; refreshes the target every `targetEvery` steps. */
  train(batch: readonly { x: Float64Array; y: number }[]): void {
    if (batch.length === 0) return;
    const H = this.hidden;
    const p = this.params;
    const grad = new Float64Array(p.length);
    const h = new Float64Array(H);
    for (const { x, y } of batch) {
      const err = this.forward(p, x, h) - y;
      grad[this.b2] += err;
      for (let j = 0; j < H; j++) {
        grad[this.w2 + j] += err * h[j];
        if (h[j] <= 0) continue;
        const g = err * p[this.w2 + j];
        grad[this.b1 + j] += g;
        for (let i = 0; i < this.inputs; i++) if (x[i] !== 0) grad[this.w1 + i * H + j] += g * x[i];
      }
    }
    // Adam ascends: step along minus the mean gradient
    for (let k = 0; k < grad.length; k++) grad[k] = -grad[k] / batch.length;
    this.adam.ascend(p, grad);
    this.updates++;
    if (this.updates % this.targetEvery === 0) this.target = p.slice();
  }

  toJson(): QNetState {
    return {
      params: Array.from(this.params),
      target: Array.from(this.target),
      m: Array.from(this.adam.m),
      v: Array.from(this.adam.v),
      t: this.adam.t,
      updates: this.updates,
    };
  }

  restore(s: QNetState): void {
    if (s.params.length !== this.params.length) throw new Error('q-learning: snapshot of another Q-network');
    this.params = Float64Array.from(s.params);
    this.target = Float64Array.from(s.target);
    this.adam.m = Float64Array.from(s.m);
    this.adam.v = Float64Array.from(s.v);
    this.adam.t = s.t;
    this.updates = s.updates;
  }
}
