// What transfers from earlier tasks to a new search: similarity weights, per-decision priors from the
// best trials, ops never among the best (pruning), the best-known architectures (warm start) and
// observations. Transfer is by decision name and choice value, so it works between any two spaces
// whose decisions overlap; an architecture transfers only when it belongs to the target space.

import { createSpace } from '../space/index.js';
import type { SearchSpace } from '../core/space.js';
import { layoutOf, namedValues, valueKey } from '../space/tree.js';
import type { Arch, Json } from '../core/types.js';
import { taskSimilarity } from './task.js';
import type { TaskDescriptor, TaskKnowledge } from './types.js';

export interface TransferOptions {
  /** 'features': similarity from the task descriptors; 'uniform': every source task weighs 1. */
  similarity?: 'features' | 'uniform';
  /** Source tasks less similar than this are ignored (default 0). */
  minSimilarity?: number;
  /** Fraction of each source task's complete trials that count as its best (default 0.1, at least 5). */
  topFraction?: number;
  /** Architectures handed to the strategy (default 20). */
  topK?: number;
  /** Weight of the learned distribution against uniform in the priors, in [0, 1] (default 0.8). */
  priorStrength?: number;
}

export interface WeightedTask {
  task: TaskKnowledge;
  similarity: number;
  /** Fraction of the target's (decision, value) pairs that the source space also has. */
  overlap: number;
  /** similarity x overlap: what the task's evidence is multiplied by. */
  weight: number;
}

/** Source tasks with their weights, most relevant first; tasks sharing no decision with the target are dropped. */
export function weighTasks(
  tasks: readonly TaskKnowledge[],
  target: TaskDescriptor,
  space: SearchSpace,
  opts: TransferOptions = {},
): WeightedTask[] {
  const pairs = new Set<string>();
  for (const d of space.decisions()) for (const c of d.choices) pairs.add(`${d.name}\u0000${valueKey(c)}`);
  const out: WeightedTask[] = [];
  for (const task of tasks) {
    let shared = 0;
    for (const [name, values] of Object.entries(task.decisions))
      for (const v of values) if (pairs.has(`${name}\u0000${v}`)) shared++;
    const overlap = pairs.size > 0 ? shared / pairs.size : 0;
    const similarity = opts.similarity === 'uniform' ? 1 : taskSimilarity(task.task, target);
    if (overlap <= 0 || similarity < (opts.minSimilarity ?? 0) || task.trials.length === 0) continue;
    out.push({ task, similarity, overlap, weight: similarity * overlap });
  }
  return out.sort((a, b) => b.weight - a.weight);
}

function bestOf(task: TaskKnowledge, fraction: number) {
  const n = Math.min(task.trials.length, Math.max(5, Math.ceil(task.trials.length * fraction)));
  return task.trials.slice(0, n);
}

/** name -> value key -> similarity-weighted frequency among the best trials of the source tasks. */
export function valueFrequencies(
  weighted: readonly WeightedTask[],
  opts: TransferOptions = {},
): Map<string, Map<string, number>> {
  const freq = new Map<string, Map<string, number>>();
  for (const w of weighted) {
    const src = createSpace(w.task.space);
    const best = bestOf(w.task, opts.topFraction ?? 0.1);
    for (const t of best) {
      let values: Map<string, Json>;
      try {
        values = namedValues(src, src.choicesOf(src.validate(t.arch)));
      } catch {
        continue; // a trial that no longer fits its own space config (edited by hand): skip it
      }
      for (const [name, v] of values) {
        let m = freq.get(name);
        if (!m) freq.set(name, (m = new Map()));
        const k = valueKey(v);
        m.set(k, (m.get(k) ?? 0) + w.weight / best.length);
      }
    }
  }
  return freq;
}

/** Sampling priors over the full choice list of each decision of `space` (as tree.ts expects). */
export function learnPriors(
  space: SearchSpace,
  freq: Map<string, Map<string, number>>,
  strength = 0.8,
): Record<string, number[]> {
  const priors: Record<string, number[]> = {};
  for (const [name, slot] of layoutOf(space).slots) {
    const m = freq.get(name);
    if (!m) continue;
    const counts = slot.choices.map((c) => m.get(valueKey(c)) ?? 0);
    const total = counts.reduce((a, b) => a + b, 0);
    if (total <= 0) continue;
    const k = counts.length;
    priors[name] = counts.map((c) => (1 - strength) / k + (strength * c) / total);
  }
  return priors;
}

/** Decision family: the name with position numbers and edge labels taken out ("layer.3.type" -> "layer.#.type", "edge.2<-1" -> "edge.#"). */
export function familyOf(name: string): string {
  return name.replace(/\d+<-\d+/g, '#').replace(/\.\d+(?=\.|$)/g, '.#');
}

/**
 * Values never seen among the best trials of the source tasks, per decision of `space`: a value is
 * pruned from a decision only when no decision of the same family (every edge of a cell, every layer
 * position of a chain) took it among the best, and only in families the sources actually cover.
 */
export function prunedValues(space: SearchSpace, freq: Map<string, Map<string, number>>): Map<string, Set<string>> {
  const seenByFamily = new Map<string, Set<string>>();
  for (const [name, m] of freq) {
    const fam = familyOf(name);
    let s = seenByFamily.get(fam);
    if (!s) seenByFamily.set(fam, (s = new Set()));
    for (const [v, c] of m) if (c > 0) s.add(v);
  }
  const out = new Map<string, Set<string>>();
  for (const d of space.decisions()) {
    const seen = seenByFamily.get(familyOf(d.name));
    if (!seen || seen.size === 0) continue;
    const gone = new Set(d.choices.map(valueKey).filter((v) => !seen.has(v)));
    if (gone.size > 0 && gone.size < d.choices.length) out.set(d.name, gone);
  }
  return out;
}

export interface RankedArch {
  arch: Arch;
  key: string;
  /** Similarity-weighted percentile score in [0, 1] (1 = the best of a task of similarity 1). */
  value: number;
  /** Source score in the most similar task that has it. */
  score: number;
  from: string;
}

/**
 * The source architectures that belong to `space`, ranked by similarity-weighted percentile
 * (the mean over the tasks that evaluated it of weight x (1 - rank / n)); best first.
 */
export function rankArchs(space: SearchSpace, weighted: readonly WeightedTask[]): RankedArch[] {
  const acc = new Map<string, { arch: Arch; sum: number; n: number; score: number; from: string; bestW: number }>();
  for (const w of weighted) {
    const n = w.task.trials.length;
    w.task.trials.forEach((t, rank) => {
      let arch: Arch;
      try {
        arch = space.validate(t.arch);
      } catch {
        return; // not of the target space
      }
      const key = space.key(arch);
      const v = w.weight * (1 - rank / n);
      const a = acc.get(key);
      if (!a) acc.set(key, { arch, sum: v, n: 1, score: t.score, from: w.task.id, bestW: w.weight });
      else {
        a.sum += v;
        a.n++;
        if (w.weight > a.bestW) Object.assign(a, { score: t.score, from: w.task.id, bestW: w.weight });
      }
    });
  }
  return [...acc.entries()]
    .map(([key, a]) => ({ arch: a.arch, key, value: a.sum / a.n, score: a.score, from: a.from }))
    .sort((x, y) => y.value - x.value || y.score - x.score);
}
