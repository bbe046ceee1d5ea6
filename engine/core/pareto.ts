// Several objectives: Pareto dominance, the non-dominated front, non-dominated sorting and crowding
// distance (Deb et al. 2002, NSGA-II). Scores are oriented so that larger is better on every objective
// (objectiveScore), so "a dominates b" = a >= b everywhere and a > b somewhere.

import { objectiveScore, type Metrics, type Objective, type TrialRecord } from './types.js';

/** One score per objective (larger is better), or null when a metric is missing. */
export function scoreVector(objectives: readonly Objective[], metrics: Metrics | undefined): number[] | null {
  const out: number[] = [];
  for (const o of objectives) {
    const s = objectiveScore(o, metrics);
    if (s === null) return null;
    out.push(s);
  }
  return out;
}

export function dominates(a: readonly number[], b: readonly number[]): boolean {
  let better = false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] < b[i]) return false;
    if (a[i] > b[i]) better = true;
  }
  return better;
}

/** Fronts of indices: the first is the non-dominated set, the next is non-dominated once it is removed, ... */
export function nondominatedSort(vectors: readonly (readonly number[])[]): number[][] {
  const n = vectors.length;
  const dominatedBy = new Array<number>(n).fill(0);
  const dominating: number[][] = vectors.map(() => []);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (dominates(vectors[i], vectors[j])) {
        dominating[i].push(j);
        dominatedBy[j]++;
      } else if (dominates(vectors[j], vectors[i])) {
        dominating[j].push(i);
        dominatedBy[i]++;
      }
    }
  }
  const fronts: number[][] = [];
  let current = [...Array(n).keys()].filter((i) => dominatedBy[i] === 0);
  while (current.length > 0) {
    fronts.push(current);
    const next: number[] = [];
    for (const i of current) {
      for (const j of dominating[i]) if (--dominatedBy[j] === 0) next.push(j);
    }
    current = next.sort((a, b) => a - b);
  }
  return fronts;
}

/** Crowding distance of each member of `front` (Infinity at the extremes of any objective). */
export function crowdingDistance(
  vectors: readonly (readonly number[])[],
  front: readonly number[],
): Map<number, number> {
  const d = new Map<number, number>(front.map((i) => [i, 0]));
  if (front.length === 0) return d;
  const m = vectors[front[0]].length;
  for (let k = 0; k < m; k++) {
    const sorted = [...front].sort((a, b) => vectors[a][k] - vectors[b][k] || a - b);
    const lo = vectors[sorted[0]][k];
    const hi = vectors[sorted[sorted.length - 1]][k];
    d.set(sorted[0], Infinity);
    d.set(sorted[sorted.length - 1], Infinity);
    if (hi === lo) continue;
    for (let i = 1; i < sorted.length - 1; i++) {
      d.set(
        sorted[i],
        (d.get(sorted[i]) as number) + (vectors[sorted[i + 1]][k] - vectors[sorted[i - 1]][k]) / (hi - lo),
      );
    }
  }
  return d;
}

/** The complete trials on the Pareto front (in trial order). Equal score vectors are all kept. */
export function paretoFront(trials: readonly TrialRecord[], objectives: readonly Objective[]): TrialRecord[] {
  const scored = trials
    .filter((t) => t.state === 'complete')
    .map((t) => ({ t, v: scoreVector(objectives, t.metrics) }));
  const ok = scored.filter((s): s is { t: TrialRecord; v: number[] } => s.v !== null);
  return ok
    .filter((a) => !ok.some((b) => dominates(b.v, a.v)))
    .map((s) => s.t)
    .sort((a, b) => a.number - b.number);
}

/**
 * Complete trials best first: by the single objective, or for several objectives by Pareto front, then
 * crowding distance (spread-out members first), then the primary objective; ties by trial number.
 */
export function rankTrials(trials: readonly TrialRecord[], objectives: readonly Objective[]): TrialRecord[] {
  const ok = trials
    .filter((t) => t.state === 'complete')
    .map((t) => ({ t, v: scoreVector(objectives, t.metrics) }))
    .filter((s): s is { t: TrialRecord; v: number[] } => s.v !== null);
  if (objectives.length <= 1) return ok.sort((a, b) => b.v[0] - a.v[0] || a.t.number - b.t.number).map((s) => s.t);
  const vectors = ok.map((s) => s.v);
  const order: { i: number; front: number; crowd: number }[] = [];
  nondominatedSort(vectors).forEach((front, f) => {
    const crowd = crowdingDistance(vectors, front);
    for (const i of front) order.push({ i, front: f, crowd: crowd.get(i) as number });
  });
  order.sort(
    (a, b) =>
      a.front - b.front ||
      b.crowd - a.crowd ||
      vectors[b.i][0] - vectors[a.i][0] ||
      ok[a.i].t.number - ok[b.i].t.number,
  );
  return order.map((o) => ok[o.i].t);
}
