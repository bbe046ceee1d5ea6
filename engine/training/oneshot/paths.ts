// Single-path training and scoring on a shared supernet (ENAS, SPOS): a weight step on one path, the
// score of a path under the shared weights (optionally after recalibrating its BatchNorm statistics),
// and uniform sampling / mutation of paths. Every tensor op runs in tf.tidy.

import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../core/rng.js';
import { BnStats, accuracy, crossEntropy, lossAndAccuracy, withBnStats } from '../darts/ops.js';
import type { Supernet } from '../darts/supernet.js';

export type Path = number[];

export function batchOf(x: tf.Tensor, y: tf.Tensor2D, idx: readonly number[]): [tf.Tensor, tf.Tensor2D] {
  const i = tf.tensor1d(idx as number[], 'int32');
  return [tf.gather(x, i), tf.gather(y, i) as tf.Tensor2D];
}

/**
 * Momentum SGD whose velocities are kept per variable name. tfjs' optimizers keep their state by the
 * position of a variable in the gradient list, which breaks when each step updates another subset
 * (the sampled path's weights); here a variable without a gradient keeps its weight and velocity.
 */
export class PathSgd {
  private readonly velocity = new Map<string, tf.Variable>();

  constructor(
    public learningRate: number,
    private readonly momentum = 0.9,
  ) {}

  apply(grads: tf.NamedTensorMap, byName: ReadonlyMap<string, tf.Variable>): void {
    tf.tidy(() => {
      for (const [name, g] of Object.entries(grads)) {
        const w = byName.get(name);
        if (!w) continue;
        let v = this.velocity.get(name);
        if (!v) {
          v = tf.variable(tf.zerosLike(w), false);
          this.velocity.set(name, v);
        }
        v.assign(tf.add(tf.mul(v, this.momentum), g));
        w.assign(tf.sub(w, tf.mul(v, this.learningRate)));
      }
    });
  }

  dispose(): void {
    for (const v of this.velocity.values()) v.dispose();
    this.velocity.clear();
  }
}

export interface StepOptions {
  learning_rate: number;
  weight_decay: number;
  grad_clip: number;
}

/**
 * One momentum-SGD step on the weights of `path` only: tf.variableGrads returns no gradient for a
 * variable the path does not use, and PathSgd updates only the variables it is given, so every other
 * weight (and its momentum) stays exactly as it was. Returns [loss, accuracy].
 */
export function pathStep(
  net: Supernet,
  path: readonly number[],
  x: tf.Tensor,
  y: tf.Tensor2D,
  opt: PathSgd,
  o: StepOptions,
): [number, number] {
  return tf.tidy(() => {
    let acc: tf.Scalar | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const logits = net.forwardPath(x, path);
      acc = tf.keep(accuracy(logits, y));
      return crossEntropy(logits, y);
    }, net.params.weights);
    let g = grads;
    const names = Object.keys(g);
    if (o.grad_clip > 0 && names.length > 0) {
      const norm = tf.sqrt(tf.addN(names.map((k) => tf.sum(tf.square(g[k])))));
      const scale = tf.minimum(1, tf.div(o.grad_clip, tf.add(norm, 1e-6)));
      g = Object.fromEntries(names.map((k) => [k, tf.mul(g[k], scale)]));
    }
    const byName = new Map(net.params.weights.map((w) => [w.name, w]));
    if (o.weight_decay > 0)
      g = Object.fromEntries(names.map((k) => [k, tf.add(g[k], tf.mul(byName.get(k)!, o.weight_decay))]));
    opt.apply(g, byName);
    const out: [number, number] = [value.dataSync()[0], acc!.dataSync()[0]];
    acc!.dispose();
    return out;
  }) as unknown as [number, number];
}

/**
 * Recalibrates the BatchNorm statistics of `path` on `batches` training batches (forward passes only:
 * no gradient, no weight change) and returns them; the caller disposes them.
 */
export function recalibrate(
  net: Supernet,
  path: readonly number[],
  x: tf.Tensor,
  batches: readonly (readonly number[])[],
): BnStats {
  const stats = new BnStats();
  for (const idx of batches) {
    tf.tidy(() => {
      const xb = tf.gather(x, tf.tensor1d(idx as number[], 'int32'));
      withBnStats(stats, () => net.forwardPath(xb, path));
    });
  }
  stats.mode = 'use';
  return stats;
}

/** A path's accuracy and mean cross-entropy under the shared weights. */
export interface PathScore {
  accuracy: number;
  loss: number;
}

/**
 * Accuracy and mean cross-entropy of `path` under the shared weights on the first `n` examples of
 * (x, y) (0: all): with `stats`, BN uses those recalibrated statistics; without, each batch's own
 * statistics (as ENAS scores). The loss orders paths where, on a few hundred validation images,
 * many tie on accuracy.
 */
export function scorePathLoss(
  net: Supernet,
  path: readonly number[],
  x: tf.Tensor,
  y: tf.Tensor2D,
  n: number,
  stats?: BnStats,
  batch = 256,
): PathScore {
  const total = Math.min(n > 0 ? n : x.shape[0], x.shape[0]);
  const forward = (xb: tf.Tensor) =>
    stats ? withBnStats(stats, () => net.forwardPath(xb, path)) : net.forwardPath(xb, path);
  return lossAndAccuracy(forward, x, y, total, batch);
}

/**
 * The network a cell path computes, as a key: an edge whose source node is always zero (every edge
 * into it is `none`, or comes from such a node) or whose target never reaches the output adds
 * nothing, so it is written as `none`. Two paths with one key are one network under any weights:
 * the derived top-K keeps one of them, so its K cells are K networks. Null where the rows are not
 * cell edges (`to<-from`; chain slots, whose architecture already drops identity slots).
 */
export function effectiveKey(
  rows: readonly string[],
  columns: readonly (readonly string[])[],
  path: Path,
): string | null {
  const edges = rows.map((r) => /^(\d+)<-(\d+)$/.exec(r));
  if (edges.some((m) => m === null)) return null;
  const e = edges.map((m) => ({ to: Number(m![1]), from: Number(m![2]) }));
  const live = (k: number) => columns[k][path[k]] !== 'none';
  const last = Math.max(...e.map((x) => x.to));
  const fed = new Set([0]); // nodes that carry a signal from the input
  for (let j = 1; j <= last; j++) if (e.some((x, k) => x.to === j && live(k) && fed.has(x.from))) fed.add(j);
  const used = new Set([last]); // nodes whose signal reaches the output
  for (let j = last; j >= 0; j--)
    if (used.has(j)) e.forEach((x, k) => x.to === j && live(k) && fed.has(x.from) && used.add(x.from));
  return e.map((x, k) => (live(k) && fed.has(x.from) && used.has(x.to) ? columns[k][path[k]] : 'none')).join(',');
}

/** A uniformly random path (SPOS' sampling; the random baselines). */
export function randomPath(columns: readonly (readonly string[])[], rng: Rng): Path {
  return columns.map((c) => rng.int(c.length));
}

/** One row changed to another of its candidates. */
export function mutatePath(path: readonly number[], columns: readonly (readonly string[])[], rng: Rng): Path {
  const rows = columns.map((c, r) => [c.length, r] as const).filter(([n]) => n > 1);
  const out = [...path];
  if (rows.length === 0) return out;
  const [n, r] = rows[rng.int(rows.length)];
  out[r] = (out[r] + 1 + rng.int(n - 1)) % n;
  return out;
}

/** Uniform crossover: each row from one parent or the other. */
export function crossPaths(a: readonly number[], b: readonly number[], rng: Rng): Path {
  return a.map((v, i) => (rng.next() < 0.5 ? v : b[i]));
}
