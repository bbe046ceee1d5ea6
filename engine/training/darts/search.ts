// The bilevel loop of DARTS: alternately, one step on the alphas with a batch of the alpha data
// (validation split by default) and one step on the weights with a batch of the training split.
// First order: the alpha gradient at the current weights. Second order (DARTS eq. 7-8): the
// gradient at the unrolled weights w' = w - lr * dL_train/dw, minus lr times the finite-difference
// Hessian-vector product (dL_train/dalpha(w+) - dL_train/dalpha(w-)) / 2 eps, w+- = w +- eps dL_val/dw'.
// Every step runs in tf.tidy; the optimizers and the supernet are disposed by the caller.

import * as tf from '@tensorflow/tfjs';
import { Rng, deriveSeed } from '../../core/rng.js';
import type { Json, Metrics } from '../../core/types.js';
import { accuracy, crossEntropy, lossAndAccuracy } from './ops.js';
import type { Supernet } from './supernet.js';
import type { AlphaEpoch } from './types.js';
import { DARTS_DEFAULTS, type DartsOptions } from '../../core/supernet.js';
import { alphaEntropy } from './derive.js';

export interface SearchData {
  xTrain: tf.Tensor;
  yTrain: tf.Tensor2D;
  /** Data the alphas are trained on. */
  xAlpha: tf.Tensor;
  yAlpha: tf.Tensor2D;
  /** Data the reported supernet_val_* metrics are measured on. */
  xVal: tf.Tensor;
  yVal: tf.Tensor2D;
}

export interface SearchHooks {
  cancelled(): boolean;
  onEpoch?(epoch: number, metrics: Metrics): void;
  /** Space-specific: derived architectures from alphas, and whether the lead one counts as collapsed. */
  derive(alpha: number[][]): { archs: Json[]; collapsed: string | null };
  /** The same from op strengths per row (perturbation scores). */
  deriveFromScores(scores: number[][]): Json[];
}

export interface SupernetSearchOutcome {
  cancelled: boolean;
  metrics: Metrics;
  curve: { step: number; metrics: Metrics }[];
  alphas: AlphaEpoch[];
  derivedFrom: number;
  derived: Json[];
  stop: string;
  /** select = perturbation: per row and candidate, the alpha-data loss increase when it is removed. */
  scores?: number[][];
}

type Resolved = Required<Omit<DartsOptions, 'inputs_per_node' | 'skeleton'>>;

export function resolveDarts(o: DartsOptions): Resolved {
  return { ...DARTS_DEFAULTS, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) } as Resolved;
}

function batchOf(x: tf.Tensor, y: tf.Tensor2D, idx: number[]): [tf.Tensor, tf.Tensor2D] {
  const i = tf.tensor1d(idx, 'int32');
  return [tf.gather(x, i), tf.gather(y, i) as tf.Tensor2D];
}

function clipByGlobalNorm(grads: tf.NamedTensorMap, clip: number): tf.NamedTensorMap {
  if (!(clip > 0)) return grads;
  const sq = Object.values(grads).map((g) => tf.sum(tf.square(g)));
  const norm = tf.sqrt(tf.addN(sq));
  const scale = tf.minimum(1, tf.div(clip, tf.add(norm, 1e-6)));
  return Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.mul(g, scale)]));
}

/** Loss of the supernet on a batch (a scalar). */
function lossOn(net: Supernet, x: tf.Tensor, y: tf.Tensor2D): tf.Scalar {
  return crossEntropy(net.forward(x), y);
}

/** beta-DARTS' Beta-Decay term: mean over rows of logsumexp(alpha_row). */
function betaDecay(net: Supernet): tf.Scalar {
  return tf.mean(tf.logSumExp(net.alpha, 1));
}

export async function searchSupernet(
  net: Supernet,
  data: SearchData,
  options: DartsOptions,
  seed: number,
  hooks: SearchHooks,
): Promise<SupernetSearchOutcome> {
  const o = resolveDarts(options);
  const weights = net.params.weights;
  const wOpt: tf.Optimizer =
    o.optimizer === 'adam' ? tf.train.adam(o.learning_rate) : tf.train.momentum(o.learning_rate, 0.9);
  const aOpt = tf.train.adam(o.arch_learning_rate, 0.5, 0.999);
  const rng = new Rng(deriveSeed(seed, 'darts.shuffle'));
  const nTrain = data.xTrain.shape[0];
  const nAlpha = data.xAlpha.shape[0];
  const B = Math.min(o.batch_size, nTrain);
  let steps = Math.ceil(nTrain / B);
  if (o.max_steps > 0) steps = Math.min(steps, o.max_steps);
  const curve: SupernetSearchOutcome['curve'] = [];
  const alphas: AlphaEpoch[] = [];
  let metrics: Metrics = {};
  let cancelled = false;
  let stop = 'epochs';
  let lastGood: { epoch: number; archs: Json[] } | undefined;
  let last: { epoch: number; archs: Json[] } | undefined;
  try {
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const lr =
        o.learning_rate_min +
        0.5 * (o.learning_rate - o.learning_rate_min) * (1 + Math.cos((Math.PI * (epoch - 1)) / o.epochs));
      if (wOpt instanceof tf.SGDOptimizer) wOpt.setLearningRate(lr);
      const order = rng.shuffle(Array.from({ length: nTrain }, (_, i) => i));
      const aOrder = rng.shuffle(Array.from({ length: nAlpha }, (_, i) => i));
      let aPos = 0;
      let lossSum = 0;
      let accSum = 0;
      let seen = 0;
      for (let s = 0; s < steps; s++) {
        if (hooks.cancelled()) {
          cancelled = true;
          break;
        }
        // alpha step on a batch of the alpha data (cycled when it is smaller than the training split)
        const aIdx: number[] = [];
        for (let k = 0; k < B; k++) aIdx.push(aOrder[aPos++ % nAlpha]);
        const tIdx = order.slice(s * B, (s + 1) * B);
        if (epoch > o.warmup)
          tf.tidy(() => {
            const [xa, ya] = batchOf(data.xAlpha, data.yAlpha, aIdx);
            const [xt, yt] = batchOf(data.xTrain, data.yTrain, tIdx);
            const g =
              o.order === 'second'
                ? secondOrderAlphaGrad(net, xt, yt, xa, ya, lr, o)
                : firstOrderAlphaGrad(net, xa, ya, o);
            aOpt.applyGradients([{ name: net.alpha.name, tensor: g }]);
          });
        // weight step on a batch of the training split
        const [l, a] = tf.tidy(() => {
          const [xt, yt] = batchOf(data.xTrain, data.yTrain, tIdx);
          let acc: tf.Scalar | undefined;
          const { value, grads } = tf.variableGrads(() => {
            const logits = net.forward(xt);
            acc = tf.keep(accuracy(logits, yt));
            return crossEntropy(logits, yt);
          }, weights);
          let g = clipByGlobalNorm(grads, o.grad_clip);
          if (o.weight_decay > 0) {
            const byName = new Map(weights.map((w) => [w.name, w]));
            g = Object.fromEntries(
              Object.entries(g).map(([k, t]) => [k, tf.add(t, tf.mul(byName.get(k)!, o.weight_decay))]),
            );
          }
          wOpt.applyGradients(g);
          const out = [value.dataSync()[0], acc!.dataSync()[0]];
          acc!.dispose();
          return out;
        }) as unknown as [number, number];
        if (!Number.isFinite(l)) throw new Error(`supernet training diverged (loss ${l}) in epoch ${epoch}`);
        lossSum += l * tIdx.length;
        accSum += a * tIdx.length;
        seen += tIdx.length;
        // let progress messages and cancellation through between steps
        if (s % 8 === 7) await new Promise((r) => setImmediate(r));
      }
      if (cancelled) break;
      const val = evaluate(net, data.xVal, data.yVal, 256);
      // rows keep only their own candidates (chain slots before layers.min have no identity)
      const alpha = (net.alpha.arraySync() as number[][]).map((row, r) => row.slice(0, net.columns[r].length));
      alphas.push({ epoch, alpha });
      const d = hooks.derive(alpha);
      metrics = {
        supernet_train_loss: lossSum / Math.max(1, seen),
        supernet_train_accuracy: accSum / Math.max(1, seen),
        supernet_val_loss: val.loss,
        supernet_val_accuracy: val.accuracy,
        alpha_entropy: alphaEntropy(alpha),
        supernet_collapsed: d.collapsed ? 1 : 0,
      };
      curve.push({ step: epoch, metrics: { ...metrics } });
      hooks.onEpoch?.(epoch, { ...metrics });
      if (epoch <= o.warmup && epoch < o.epochs) continue; // alphas still at their start: nothing derived yet
      last = { epoch, archs: d.archs };
      if (!d.collapsed) lastGood = last;
      else if (o.guard === 'early-stop' && epoch >= o.guard_after) {
        stop = `collapse guard: ${d.collapsed} at epoch ${epoch}`;
        break;
      }
    }
  } finally {
    wOpt.dispose();
    // tfjs 4.22's MomentumOptimizer.dispose() leaves SGD's learning-rate scalar `c` behind
    (wOpt as unknown as { c?: tf.Tensor }).c?.dispose();
    aOpt.dispose();
  }
  const pick = o.guard === 'early-stop' ? (lastGood ?? last) : last;
  if (o.select === 'perturbation' && !cancelled && alphas.length > 0) {
    const scores = perturbationScores(net, data.xAlpha, data.yAlpha);
    return {
      cancelled,
      metrics,
      curve,
      alphas,
      derivedFrom: alphas[alphas.length - 1].epoch,
      derived: hooks.deriveFromScores(scores),
      stop,
      scores,
    };
  }
  return { cancelled, metrics, curve, alphas, derivedFrom: pick?.epoch ?? 0, derived: pick?.archs ?? [], stop };
}

/**
 * Perturbation-based selection (DARTS-PT, Wang et al. ICLR 2021, without its per-edge fine-tuning):
 * an op's strength on an edge is how much the supernet's loss on the alpha data rises when that op
 * alone is removed from the edge's mixed op (its weight set to zero, the others kept). Alpha
 * magnitudes overrate parameter-free ops — a skip or a pool carries the supernet's signal whatever
 * its weight, while removing a trained conv hurts — which is where DARTS' collapse comes from.
 */
export function perturbationScores(net: Supernet, x: tf.Tensor, y: tf.Tensor2D, batch = 256): number[][] {
  const rows = net.columns.length;
  const cols = net.alpha.shape[1] as number;
  const lossWith = (mask: number[][] | null): number => {
    const n = x.shape[0];
    let total = 0;
    for (let s = 0; s < n; s += batch) {
      total += tf.tidy(() => {
        const size = Math.min(batch, n - s);
        const w = mask ? tf.mul(net.weights(), tf.tensor2d(mask)) : net.weights();
        return (
          crossEntropy(
            net.forward(tf.slice(x, s, size), w as tf.Tensor2D),
            tf.slice(y, s, size) as tf.Tensor2D,
          ).dataSync()[0] * size
        );
      });
    }
    return total / Math.max(1, n);
  };
  const base = lossWith(null);
  const scores: number[][] = [];
  for (let r = 0; r < rows; r++) {
    const row: number[] = [];
    for (let k = 0; k < net.columns[r].length; k++) {
      if (net.columns[r][k] === 'none') {
        row.push(0); // removing a zero op changes nothing
        continue;
      }
      const mask = Array.from({ length: rows }, (_, i) =>
        Array.from({ length: cols }, (_, j) => (i === r && j === k ? 0 : 1)),
      );
      row.push(lossWith(mask) - base);
    }
    scores.push(row);
  }
  return scores;
}

function firstOrderAlphaGrad(net: Supernet, xa: tf.Tensor, ya: tf.Tensor2D, o: Resolved): tf.Tensor {
  const { grads } = tf.variableGrads(() => {
    const l = lossOn(net, xa, ya);
    return o.beta_decay > 0 ? tf.add(l, tf.mul(betaDecay(net), o.beta_decay)) : l;
  }, [net.alpha]);
  const g = grads[net.alpha.name];
  return o.arch_weight_decay > 0 ? tf.add(g, tf.mul(net.alpha, o.arch_weight_decay)) : g;
}

/** DARTS' second-order approximation; leaves the weights as it found them. */
function secondOrderAlphaGrad(
  net: Supernet,
  xt: tf.Tensor,
  yt: tf.Tensor2D,
  xa: tf.Tensor,
  ya: tf.Tensor2D,
  lr: number,
  o: Resolved,
): tf.Tensor {
  const weights = net.params.weights;
  const saved = weights.map((w) => tf.keep(tf.clone(w)));
  const byName = (g: tf.NamedTensorMap, w: tf.Variable) => g[w.name] ?? tf.zerosLike(w);
  try {
    // w' = w - lr * dL_train/dw
    const gTrain = tf.variableGrads(() => lossOn(net, xt, yt), weights).grads;
    weights.forEach((w, i) => w.assign(tf.sub(saved[i], tf.mul(byName(gTrain, w), lr))));
    // dL_val(w', alpha)/d(alpha, w')
    const gVal = tf.variableGrads(() => {
      const l = lossOn(net, xa, ya);
      return o.beta_decay > 0 ? tf.add(l, tf.mul(betaDecay(net), o.beta_decay)) : l;
    }, [net.alpha, ...weights]).grads;
    const dAlpha = gVal[net.alpha.name];
    const dW = weights.map((w) => byName(gVal, w));
    const norm = tf.sqrt(tf.addN(dW.map((g) => tf.sum(tf.square(g))))).dataSync()[0];
    const eps = 0.01 / Math.max(norm, 1e-12);
    const alphaGradAt = (sign: number): tf.Tensor => {
      weights.forEach((w, i) => w.assign(tf.add(saved[i], tf.mul(dW[i], sign * eps))));
      return tf.variableGrads(() => lossOn(net, xt, yt), [net.alpha]).grads[net.alpha.name];
    };
    const gPlus = alphaGradAt(1);
    const gMinus = alphaGradAt(-1);
    const hvp = tf.div(tf.sub(gPlus, gMinus), 2 * eps);
    let g = tf.sub(dAlpha, tf.mul(hvp, lr));
    if (o.arch_weight_decay > 0) g = tf.add(g, tf.mul(net.alpha, o.arch_weight_decay));
    return g;
  } finally {
    weights.forEach((w, i) => w.assign(saved[i]));
    tf.dispose(saved);
  }
}

/** Loss and accuracy of the supernet on a dataset, in batches (batch statistics in BN, as in search). */
export function evaluate(
  net: Supernet,
  x: tf.Tensor,
  y: tf.Tensor2D,
  batch: number,
): { loss: number; accuracy: number } {
  return lossAndAccuracy((xb) => net.forward(xb), x, y, x.shape[0], batch);
}
