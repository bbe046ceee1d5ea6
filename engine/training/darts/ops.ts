// Functional building blocks of the supernet: parameters held as tf.Variables (seeded), and the ops
// written directly with tf ops so tf.variableGrads can differentiate with respect to any subset of
// variables (weights or alphas). BN uses the batch's statistics and has no affine parameters, as in
// DARTS' search (the supernet is always in training mode; nothing here keeps running statistics).

import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../../core/rng.js';

let instances = 0;

/** The variables of one supernet; names are unique per instance (tfjs keeps a global name registry). */
export class Params {
  readonly weights: tf.Variable[] = [];
  private readonly prefix: string;
  private count = 0;

  constructor(private readonly seed: number) {
    this.prefix = `darts${++instances}`;
  }

  private name(label: string): string {
    return `${this.prefix}/${label}`;
  }

  /** Glorot-uniform conv kernel [k, k, cin, cout] (fan over the receptive field, as Keras). */
  conv(label: string, k: number, cin: number, cout: number): tf.Variable {
    const limit = Math.sqrt(6 / (k * k * cin + k * k * cout));
    return this.add(
      label,
      tf.randomUniform([k, k, cin, cout], -limit, limit, 'float32', deriveSeed(this.seed, 'w', this.count++)),
    );
  }

  dense(label: string, cin: number, cout: number): { kernel: tf.Variable; bias: tf.Variable } {
    const limit = Math.sqrt(6 / (cin + cout));
    const kernel = this.add(
      `${label}/kernel`,
      tf.randomUniform([cin, cout], -limit, limit, 'float32', deriveSeed(this.seed, 'w', this.count++)),
    );
    const bias = this.add(`${label}/bias`, tf.zeros([cout]));
    return { kernel, bias };
  }

  bias(label: string, n: number): tf.Variable {
    return this.add(label, tf.zeros([n]));
  }

  private add(label: string, init: tf.Tensor): tf.Variable {
    const v = tf.variable(init, true, this.name(label));
    init.dispose();
    this.weights.push(v);
    return v;
  }

  /** The architecture parameters: rows x cols, N(0, 1e-3) as in DARTS. */
  alphas(rows: number, cols: number): tf.Variable {
    const init = tf.mul(tf.randomNormal([rows, cols], 0, 1, 'float32', deriveSeed(this.seed, 'alpha')), 1e-3);
    const v = tf.variable(init, true, this.name('alpha'));
    init.dispose();
    return v;
  }

  dispose(): void {
    for (const w of this.weights) w.dispose();
    this.weights.length = 0;
  }
}

/**
 * BatchNorm statistics of one single path, for scoring it with inherited weights (SPOS): batch
 * statistics seen while training a supernet belong to the mix of paths trained, not to this one.
 * In 'collect' mode every BN of a forward pass normalises with its batch's statistics and adds them
 * to a running average (one slot per BN, in call order: a fixed path calls its BNs in a fixed
 * order); in 'use' mode it normalises with the averages instead. No weight is touched.
 */
export class BnStats {
  mode: 'collect' | 'use' = 'collect';
  private readonly means: tf.Tensor[] = [];
  private readonly variances: tf.Tensor[] = [];
  private batches = 0;
  private cursor = 0;

  /** Number of BN slots with statistics. */
  get size(): number {
    return this.means.length;
  }

  /** The statistics as plain numbers (tests, inspection). */
  values(): { mean: number[]; variance: number[] }[] {
    return this.means.map((m, i) => ({
      mean: Array.from(m.dataSync()),
      variance: Array.from(this.variances[i].dataSync()),
    }));
  }

  /** Starts a forward pass (BN slots are numbered from 0 again); counts a collected batch. */
  begin(): void {
    this.cursor = 0;
    if (this.mode === 'collect') this.batches++;
  }

  /** Normalises `x` at the next BN slot of this pass. */
  normalise(x: tf.Tensor, axes: number[]): tf.Tensor {
    const i = this.cursor++;
    if (this.mode === 'use') {
      if (i >= this.means.length) throw new Error(`BN recalibration: no statistics for BN ${i} of this path`);
      return tf.mul(tf.sub(x, this.means[i]), tf.rsqrt(tf.add(this.variances[i], 1e-5)));
    }
    const { mean, variance } = tf.moments(x, axes, true);
    // cumulative average over the recalibration batches (SPOS: momentum-free BN statistics)
    const k = this.batches;
    const keep = (old: tf.Tensor | undefined, now: tf.Tensor) =>
      tf.keep(old === undefined ? tf.clone(now) : tf.add(tf.mul(old, (k - 1) / k), tf.mul(now, 1 / k)));
    const m = keep(this.means[i], mean);
    const v = keep(this.variances[i], variance);
    this.means[i]?.dispose();
    this.variances[i]?.dispose();
    this.means[i] = m;
    this.variances[i] = v;
    return tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5)));
  }

  dispose(): void {
    tf.dispose([...this.means, ...this.variances]);
    this.means.length = 0;
    this.variances.length = 0;
  }
}

let activeStats: BnStats | null = null;

/** Runs `fn` (one forward pass) with `stats` in charge of every bnNoAffine. */
export function withBnStats<T>(stats: BnStats, fn: () => T): T {
  const before = activeStats;
  activeStats = stats;
  stats.begin();
  try {
    return fn();
  } finally {
    activeStats = before;
  }
}

/** Batch normalisation over the batch's statistics (or recalibrated ones, see BnStats), no affine parameters. */
export function bnNoAffine(x: tf.Tensor): tf.Tensor {
  const axes = x.rank === 4 ? [0, 1, 2] : [0];
  if (activeStats) return activeStats.normalise(x, axes);
  const { mean, variance } = tf.moments(x, axes, true);
  return tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5)));
}

/** NB201's ReLU-Conv-BN. */
export function reluConvBn(x: tf.Tensor4D, kernel: tf.Variable, stride = 1): tf.Tensor4D {
  return bnNoAffine(tf.conv2d(tf.relu(x), kernel as tf.Tensor4D, stride, 'same')) as tf.Tensor4D;
}

/** Mean softmax cross-entropy of logits against one-hot labels (written out: works on every backend). */
export function crossEntropy(logits: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar {
  return tf.mean(tf.sub(tf.logSumExp(logits, 1), tf.sum(tf.mul(logits, y), 1)));
}

/** Fraction of rows whose argmax matches the one-hot label. */
export function accuracy(logits: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar {
  return tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(y, 1)), 'float32'));
}

/** Mean cross-entropy and accuracy of `forward`'s logits over the first `n` rows of (x, y), in batches. */
export function lossAndAccuracy(
  forward: (xb: tf.Tensor) => tf.Tensor2D,
  x: tf.Tensor,
  y: tf.Tensor2D,
  n: number,
  batch: number,
): { loss: number; accuracy: number } {
  let loss = 0;
  let acc = 0;
  for (let s = 0; s < n; s += batch) {
    const [l, a] = tf.tidy(() => {
      const size = Math.min(batch, n - s);
      const yb = tf.slice(y, s, size) as tf.Tensor2D;
      const logits = forward(tf.slice(x, s, size));
      return [crossEntropy(logits, yb).dataSync()[0] * size, accuracy(logits, yb).dataSync()[0] * size];
    });
    loss += l;
    acc += a;
  }
  return { loss: loss / Math.max(1, n), accuracy: acc / Math.max(1, n) };
}

/** A candidate operation of a mixed op; null output means `none` (a zero contribution). */
export type CandidateOp = (x: tf.Tensor) => tf.Tensor | null;

/**
 * The mixed operation: sum_k w_k * op_k(x), with w = softmax(alpha) of the edge. `none` candidates
 * (null outputs) contribute zero, but their alpha still takes part in the softmax. Returns null when
 * every candidate is `none`.
 */
export function mixedOp(x: tf.Tensor, weights: tf.Tensor1D, ops: readonly CandidateOp[]): tf.Tensor | null {
  const ws = tf.unstack(weights);
  let sum: tf.Tensor | null = null;
  ops.forEach((op, k) => {
    const y = op(x);
    if (y === null) return;
    const term = tf.mul(y, ws[k]);
    sum = sum === null ? term : tf.add(sum, term);
  });
  return sum;
}

/**
 * Average pooling with TF's 'same' padding, counting only the real inputs of each window (as
 * tf.avgPool's forward does). tfjs' own AvgPool gradient divides by the full window at the
 * borders; engine/training/kernels/avg-pool-grad.ts replaces it on cpu and wasm (registered by
 * initBackend), and tfjs-node's is correct, so plain tf.avgPool gives the right alpha gradients.
 */
export function avgPoolSame(x: tf.Tensor4D, k: number, stride: number): tf.Tensor4D {
  return tf.avgPool(x, k, stride, 'same');
}
