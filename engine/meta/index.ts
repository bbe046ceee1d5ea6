// Meta-learning across tasks: from the knowledge of earlier runs (stores or knowledge files named in
// `meta.from`), hand the new search's three objects their priors:
//   learn: space      -> per-decision sampling priors from the best trials of similar tasks, and with
//                        `prune_ops` a space without the choices never among the best;
//   learn: strategy   -> warm start: the best-known architectures first (initial population, queue),
//                        observations for model-based strategies, the priors for RL initialisation;
//   learn: evaluation -> a predictor trained on the earlier tasks screens candidates (only those
//                        predicted in the top `screen` fraction are evaluated).

import type { SearchSpace } from '../core/space.js';
import type { Strategy, WarmStart } from '../core/strategy.js';
import type { JsonObject } from '../core/types.js';
import type { MetaConfig, WorkflowConfig } from '../core/workflow.js';
import { deriveSeed } from '../core/rng.js';
import { ScreenedStrategy } from '../../strategies/wrappers/screened.js';
import { loadKnowledge } from './knowledge.js';
import { describeTask } from './task.js';
import { RestrictedSpace } from './restrict.js';
import {
  learnPriors,
  prunedValues,
  rankArchs,
  valueFrequencies,
  weighTasks,
  type TransferOptions,
} from './transfer.js';
import { predict, trainPredictor } from './predictor.js';
import type { TaskKnowledge } from './types.js';

export * from './types.js';
export { loadKnowledge, exportKnowledge, writeKnowledge, parseKnowledge, readStore, decisionsOf } from './knowledge.js';
export { describeTask, taskSimilarity, featureVector } from './task.js';
export { weighTasks, valueFrequencies, learnPriors, prunedValues, rankArchs, familyOf } from './transfer.js';
export { fitRidge, predict, trainPredictor, type LinearPredictor } from './predictor.js';
export { RestrictedSpace } from './restrict.js';

/** Defaults of the `meta:` options beside `from` and `learn`. */
export const META_DEFAULTS = {
  top_k: 20,
  top_fraction: 0.1,
  similarity: 'features' as const,
  min_similarity: 0,
  prior_strength: 0.8,
  prune_ops: false,
  screen: 0.5,
  observations: 200,
};

export interface MetaPlan {
  /** The space the strategy works in (the workflow's, or a pruned one). */
  space: SearchSpace;
  warmStart?: WarmStart;
  /** Wraps the strategy (predictor screening) or returns it unchanged. */
  wrap(strategy: Strategy): Strategy;
  /** What was transferred, for logs and `nas meta show`. */
  summary: JsonObject;
}

/**
 * Builds the meta-learning plan of a workflow. `knowledge` may be given (tests, benches); otherwise
 * it is read from `meta.from`. A workflow without `meta` gets a plan that changes nothing.
 */
export function prepareMeta(wf: WorkflowConfig, space: SearchSpace, knowledge?: TaskKnowledge[]): MetaPlan {
  const meta = wf.meta;
  if (!meta) return { space, wrap: (s) => s, summary: {} };
  const o = { ...META_DEFAULTS, ...meta };
  const learn = new Set(meta.learn ?? ['space', 'strategy', 'evaluation']);
  const tasks = knowledge ?? loadKnowledge(meta.from, { stages: meta.stages ?? 'final' });
  const target = describeTask(wf);
  const topts: TransferOptions = {
    similarity: o.similarity,
    minSimilarity: o.min_similarity,
    topFraction: o.top_fraction,
    topK: o.top_k,
    priorStrength: o.prior_strength,
  };
  const weighted = weighTasks(tasks, target, space, topts);
  const summary: JsonObject = {
    target: target as unknown as JsonObject,
    sources: weighted.map((w) => ({
      id: w.task.id,
      name: w.task.name,
      similarity: r3(w.similarity),
      overlap: r3(w.overlap),
      trials: w.task.trials.length,
    })),
    ignored: tasks.length - weighted.length,
  };
  if (weighted.length === 0) return { space, wrap: (s) => s, summary };

  const freq = valueFrequencies(weighted, topts);
  let strategySpace: SearchSpace = space;
  if (learn.has('space') && o.prune_ops) {
    const removed = prunedValues(space, freq);
    if (removed.size > 0) {
      strategySpace = new RestrictedSpace(space, removed);
      summary.pruned = Object.fromEntries([...removed].map(([k, v]) => [k, [...v]]));
    }
  }
  const warmStart: WarmStart = {};
  if (learn.has('space')) {
    warmStart.priors = learnPriors(strategySpace, freq, o.prior_strength);
    summary.priors = Object.keys(warmStart.priors).length;
  }
  if (learn.has('strategy')) {
    const ranked = rankArchs(strategySpace, weighted);
    warmStart.archs = ranked.slice(0, o.top_k).map((r) => r.arch);
    // observations: the source results beyond the warm archs (strategies treat an observed arch as
    // evaluated and would not propose it, but the warm archs must be evaluated on this task)
    warmStart.observations = ranked
      .slice(o.top_k, o.top_k + o.observations)
      .map((r) => ({ arch: r.arch, score: r.score }));
    // RL controllers start from the priors as well (q-learning, reinforce read warmStart.priors)
    if (!warmStart.priors) warmStart.priors = learnPriors(strategySpace, freq, o.prior_strength);
    summary.warm_archs = warmStart.archs.length;
    summary.best_known = ranked
      .slice(0, 3)
      .map((r) => ({ key: r.key, value: r3(r.value), score: r.score, from: r.from }));
  }
  let wrap = (s: Strategy): Strategy => s;
  if (learn.has('evaluation') && o.screen < 1) {
    const predictor = trainPredictor(strategySpace, weighted);
    if (predictor.n >= 10) {
      const cache = new Map<string, number>();
      const score = (arch: Parameters<SearchSpace['key']>[0]) => {
        const k = space.key(arch);
        let v = cache.get(k);
        if (v === undefined) cache.set(k, (v = predict(predictor, strategySpace.encode(arch))));
        return v;
      };
      wrap = (s) =>
        new ScreenedStrategy(s, strategySpace, score, { fraction: o.screen, seed: deriveSeed(wf.seed, 'meta-screen') });
      summary.screen = { fraction: o.screen, trained_on: predictor.n };
    }
  }
  return { space: strategySpace, warmStart, wrap, summary };
}

function r3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export type { MetaConfig };
