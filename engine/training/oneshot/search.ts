// The two weight-sharing searches on one supernet (the DARTS supernet of engine/training/darts, used
// one path at a time):
// - ENAS (Pham et al. 2018): each epoch a weight phase (one path per training batch, sampled by the
//   controller; momentum SGD on that path's weights only) then a controller phase (REINFORCE on the
//   validation split: reward = the sampled path's score, `rank_by`, on `reward_examples` validation
//   images under the shared weights, moving-average baseline, entropy bonus). At the end `sample`
//   paths are drawn from the controller and ranked under the shared weights.
// - SPOS (Guo et al. 2020): the weight phase with uniformly sampled paths, then an evolutionary
//   search in which every path is scored with the inherited weights after recalibrating its
//   BatchNorm statistics on a few training batches.
// - random-ws (the baseline of the benches): the SPOS weight phase, then `sample` uniform paths ranked
//   like ENAS' — the same supernet budget without a controller or an evolution.
// Both return the top `candidates` distinct networks with their shared-weight scores, and
// `rank_check` extra uniform paths with theirs, so the engine can correlate shared-weight and
// stand-alone rankings.

import * as tf from '@tensorflow/tfjs';
import { Rng, deriveSeed } from '../../core/rng.js';
import type { Json, Metrics } from '../../core/types.js';
import { ONESHOT_DEFAULTS, type OneShotOptions, type PathPolicy } from '../../core/supernet.js';
import type { Supernet } from '../darts/supernet.js';
import {
  PathSgd,
  batchOf,
  crossPaths,
  effectiveKey,
  mutatePath,
  pathStep,
  randomPath,
  recalibrate,
  scorePathLoss,
  type Path,
  type PathScore,
} from './paths.js';

export type OneShotResolved = Required<Omit<OneShotOptions, 'skeleton'>>;

export function resolveOneShot(o: OneShotOptions): OneShotResolved {
  return {
    ...ONESHOT_DEFAULTS,
    ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)),
  } as OneShotResolved;
}

export interface OneShotData {
  xTrain: tf.Tensor;
  yTrain: tf.Tensor2D;
  xVal: tf.Tensor;
  yVal: tf.Tensor2D;
}

export interface OneShotHooks {
  cancelled(): boolean;
  onEpoch?(epoch: number, metrics: Metrics): void;
}

export interface ScoredPath {
  path: Path;
  arch: Json;
  /** The shared-weight score (`rank_by`: likelihood or accuracy; the one the ranking figures use). */
  score: number;
  /** Mean cross-entropy under the shared weights: orders paths whose accuracies tie. */
  loss: number;
}

/**
 * What a path scores under the shared weights, higher is better: its likelihood exp(-mean
 * cross-entropy), the geometric mean of the probability it gives the right class, or its accuracy.
 * On digits, across 8 supernets (4 seeds x 2 samplings), the cross-entropy ranked 28 random cells
 * closer to their stand-alone accuracy (median of 4 seeds) than the accuracy did in 7 (mean Kendall
 * tau 0.46 vs 0.37): over a few hundred images a good path's accuracy moves by whole images and many
 * paths tie, while its loss still says how sure and how right it is.
 */
export function rankValue(o: { rank_by: 'likelihood' | 'accuracy' }, s: PathScore): number {
  return o.rank_by === 'accuracy' ? s.accuracy : Math.exp(-s.loss);
}

/** Best first: higher shared-weight score, then lower loss. */
export const byScore = (a: ScoredPath, b: ScoredPath): number => b.score - a.score || a.loss - b.loss;

export interface OneShotOutcome {
  cancelled: boolean;
  metrics: Metrics;
  curve: { step: number; metrics: Metrics }[];
  /** Best first, distinct architectures. */
  top: ScoredPath[];
  /** rank_check: uniform paths with their shared-weight scores (not among `top`). */
  check: ScoredPath[];
  /** Paths scored under the shared weights during the final ranking / evolution. */
  scored: number;
  stop: string;
}

export type OneShotMethodRun = 'enas' | 'spos' | 'random-ws';

export async function searchOneShot(
  method: OneShotMethodRun,
  net: Supernet,
  data: OneShotData,
  options: OneShotOptions,
  seed: number,
  hooks: OneShotHooks,
  policy?: PathPolicy,
): Promise<OneShotOutcome> {
  const o = resolveOneShot(options);
  if (method === 'enas' && !policy) throw new Error('enas: the supernet job was given no controller');
  const rng = new Rng(deriveSeed(seed, 'oneshot', method));
  const columns = net.columns;
  const opt = new PathSgd(o.learning_rate);
  const nTrain = data.xTrain.shape[0];
  const nVal = data.xVal.shape[0];
  const B = Math.min(o.batch_size, nTrain);
  let steps = Math.ceil(nTrain / B);
  if (o.max_steps > 0) steps = Math.min(steps, o.max_steps);
  const curve: OneShotOutcome['curve'] = [];
  let metrics: Metrics = {};
  let cancelled = false;
  let valPos = 0;
  let valOrder = rng.shuffle(Array.from({ length: nVal }, (_, i) => i));
  const rewardSize = o.reward_examples > 0 ? Math.min(o.reward_examples, nVal) : nVal;
  const valBatch = (): number[] => {
    const idx: number[] = [];
    for (let k = 0; k < rewardSize; k++) {
      if (valPos >= nVal) {
        valPos = 0;
        valOrder = rng.shuffle(valOrder);
      }
      idx.push(valOrder[valPos++]);
    }
    return idx;
  };
  const batchScore = (path: Path, idx: number[]): number =>
    tf.tidy(() => {
      const [xb, yb] = batchOf(data.xVal, data.yVal, idx);
      return rankValue(o, scorePathLoss(net, path, xb, yb, 0));
    });
  let steering = false; // ENAS after warm-up: the controller picks the paths
  const sample = (): Path => (steering ? policy!.sample() : randomPath(columns, rng));
  try {
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      opt.learningRate = 0.5 * o.learning_rate * (1 + Math.cos((Math.PI * (epoch - 1)) / o.epochs));
      steering = method === 'enas' && o.weight_paths === 'controller' && epoch > o.warmup;
      const order = rng.shuffle(Array.from({ length: nTrain }, (_, i) => i));
      let lossSum = 0;
      let accSum = 0;
      let seen = 0;
      for (let s = 0; s < steps && !cancelled; s++) {
        if (hooks.cancelled()) cancelled = true;
        else {
          const idx = order.slice(s * B, (s + 1) * B);
          const path = sample();
          const [l, a] = tf.tidy(() => {
            const [xb, yb] = batchOf(data.xTrain, data.yTrain, idx);
            return pathStep(net, path, xb, yb, opt, o);
          });
          if (!Number.isFinite(l)) throw new Error(`supernet training diverged (loss ${l}) in epoch ${epoch}`);
          lossSum += l * idx.length;
          accSum += a * idx.length;
          seen += idx.length;
          if (s % 8 === 7) await new Promise((r) => setImmediate(r));
        }
      }
      if (cancelled) break;
      let rewardSum = 0;
      if (method === 'enas' && epoch >= o.warmup) {
        for (let c = 0; c < o.controller_steps; c++) {
          const batch: { path: Path; reward: number }[] = [];
          for (let k = 0; k < o.controller_samples; k++) {
            const path = policy!.sample();
            const reward = batchScore(path, valBatch());
            batch.push({ path, reward });
            rewardSum += reward;
          }
          policy!.update(batch);
        }
      }
      metrics = {
        supernet_train_loss: lossSum / Math.max(1, seen),
        supernet_train_accuracy: accSum / Math.max(1, seen),
        ...(method === 'enas'
          ? { controller_reward: rewardSum / Math.max(1, o.controller_steps * o.controller_samples) }
          : {}),
      };
      curve.push({ step: epoch, metrics: { ...metrics } });
      hooks.onEpoch?.(epoch, { ...metrics });
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    opt.dispose();
  }
  if (cancelled) return { cancelled, metrics, curve, top: [], check: [], scored: 0, stop: 'cancelled' };

  // scoring: ENAS and random-ws with each validation batch's BN statistics (ENAS' protocol), SPOS
  // with statistics recalibrated on training batches (its protocol)
  const recalBatches = (): number[][] => {
    const order = rng.shuffle(Array.from({ length: nTrain }, (_, i) => i));
    return Array.from({ length: Math.min(o.recalibration_batches, Math.ceil(nTrain / B)) }, (_, k) =>
      order.slice(k * B, (k + 1) * B),
    );
  };
  const cache = new Map<string, ScoredPath>();
  const score = (path: Path): ScoredPath => {
    const key = path.join(',');
    let hit = cache.get(key);
    if (!hit) {
      let value: { accuracy: number; loss: number };
      if (method === 'spos') {
        const stats = recalibrate(net, path, data.xTrain, recalBatches());
        try {
          value = scorePathLoss(net, path, data.xVal, data.yVal, o.score_examples, stats);
        } finally {
          stats.dispose();
        }
      } else value = scorePathLoss(net, path, data.xVal, data.yVal, o.score_examples);
      hit = { path, arch: net.archOfPath(path), score: rankValue(o, value), loss: value.loss };
      cache.set(key, hit);
    }
    return hit;
  };
  steering = method === 'enas';
  const ranked = method === 'spos' ? evolve(o, columns, rng, score) : drawAndRank(o, sample, score);
  // distinct networks: a chain's identity slots, or a cell's edges from a zero node or into a node
  // that never reaches the output, can make two paths one network
  const networkOf = (p: ScoredPath) => effectiveKey(net.rows, columns, p.path) ?? JSON.stringify(p.arch);
  const top: ScoredPath[] = [];
  const keys = new Set<string>();
  for (const p of ranked) {
    if (top.length >= o.candidates) break;
    const k = networkOf(p);
    if (keys.has(k)) continue;
    keys.add(k);
    top.push(p);
  }
  // the random reference excludes the top-K only: leaving out every path the search scored (the
  // evolution's, mostly good ones) would make random cells look worse than they are
  const check: ScoredPath[] = [];
  const checkRng = new Rng(deriveSeed(seed, 'rank_check'));
  for (let tries = 0; check.length < o.rank_check && tries < 100 * (o.rank_check + 1); tries++) {
    const p = score(randomPath(columns, checkRng));
    const k = networkOf(p);
    if (keys.has(k)) continue;
    keys.add(k);
    check.push(p);
  }
  return { cancelled, metrics, curve, top, check, scored: cache.size, stop: 'epochs' };
}

/** ENAS / random-ws: `sample` paths from the sampler, best shared-weight score first. */
function drawAndRank(o: OneShotResolved, sample: () => Path, score: (p: Path) => ScoredPath): ScoredPath[] {
  const out = new Map<string, ScoredPath>();
  for (let k = 0; k < o.sample; k++) {
    const p = score(sample());
    out.set(p.path.join(','), p);
  }
  return [...out.values()].sort(byScore);
}

/**
 * SPOS' evolution: a uniform population, then per generation the top half are parents of children
 * by crossover (half) and one-row mutation (half); every path is scored with inherited weights and
 * recalibrated BN. Returns every scored path, best first.
 */
function evolve(
  o: OneShotResolved,
  columns: readonly (readonly string[])[],
  rng: Rng,
  score: (p: Path) => ScoredPath,
): ScoredPath[] {
  const all = new Map<string, ScoredPath>();
  const add = (p: Path) => {
    const s = score(p);
    all.set(p.join(','), s);
    return s;
  };
  let population: ScoredPath[] = [];
  for (let k = 0; k < o.population; k++) population.push(add(randomPath(columns, rng)));
  for (let g = 1; g < o.generations; g++) {
    population.sort(byScore);
    const parents = population.slice(0, Math.max(2, Math.floor(o.population / 2)));
    const children: ScoredPath[] = [];
    for (let k = 0; k < o.population - parents.length; k++) {
      const a = parents[rng.int(parents.length)].path;
      const child =
        k % 2 === 0 ? mutatePath(a, columns, rng) : crossPaths(a, parents[rng.int(parents.length)].path, rng);
      children.push(add(child));
    }
    population = [...parents, ...children];
  }
  return [...all.values()].sort(byScore);
}
