// Small helpers shared by the model-based strategies (q-learning, reinforce, bayesian): walking a
// space's decision tree, turning trial records into scores, running statistics, and the bookkeeping
// of proposals in flight. Everything here is plain data so that snapshots stay JSON.

import type { Decision, SearchSpace } from '../../engine/core/space.js';
import type { Arch, Json, JsonObject, Objective, TrialRecord } from '../../engine/core/types.js';
import { objectiveScore } from '../../engine/core/types.js';

/** Builds a complete choice sequence from the root, asking `pick` for each decision in turn. */
export function walk(
  space: SearchSpace,
  pick: (decision: Decision, prefix: readonly number[]) => number,
  maxDepth = 10_000,
): number[] {
  const prefix: number[] = [];
  for (let d = space.next(prefix); d !== null; d = space.next(prefix)) {
    const c = pick(d, prefix);
    if (!(Number.isInteger(c) && c >= 0 && c < d.choices.length)) {
      throw new RangeError(`choice ${c} out of range for decision ${d.name}`);
    }
    prefix.push(c);
    if (prefix.length > maxDepth) throw new Error('space decision tree deeper than expected');
  }
  return prefix;
}

/** The score (larger is better) of a complete or pruned trial; null for failed trials or a missing metric. */
export function trialScore(objective: Objective, trial: TrialRecord): number | null {
  if (trial.state === 'failed') return null;
  return objectiveScore(objective, trial.metrics);
}

/** Welford running mean and variance. */
export class RunningStats {
  n = 0;
  mean = 0;
  m2 = 0;
  min = Infinity;
  max = -Infinity;

  push(x: number): void {
    this.n++;
    const d = x - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (x - this.mean);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
  }

  std(): number {
    return this.n > 1 ? Math.sqrt(this.m2 / (this.n - 1)) : 0;
  }

  toJson(): JsonObject {
    return { n: this.n, mean: this.mean, m2: this.m2, min: finiteOrNull(this.min), max: finiteOrNull(this.max) };
  }

  static fromJson(j: Json): RunningStats {
    const o = j as JsonObject;
    const s = new RunningStats();
    s.n = o.n as number;
    s.mean = o.mean as number;
    s.m2 = o.m2 as number;
    s.min = o.min === null ? Infinity : (o.min as number);
    s.max = o.max === null ? -Infinity : (o.max as number);
    return s;
  }
}

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/**
 * The choice sequence of a told trial: the one recorded when it was proposed, or, for a trial this
 * strategy did not propose (an unsolicited tell, e.g. a seed), decoded from its architecture.
 */
export function toldChoices(space: SearchSpace, proposal: { choices: number[] } | undefined, arch: Arch): number[] {
  return proposal ? proposal.choices : space.choicesOf(space.validate(arch));
}

/**
 * Proposals in flight, by key (a key may be in flight more than once), with the choice sequence
 * and any strategy-specific tag recorded when it was proposed.
 */
export class PendingSet {
  private map = new Map<string, { choices: number[]; tag: Json }[]>();

  add(key: string, choices: number[], tag: Json = null): void {
    const list = this.map.get(key);
    if (list) list.push({ choices, tag });
    else this.map.set(key, [{ choices, tag }]);
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  /** Removes and returns the oldest proposal with this key (undefined when none: an unsolicited tell). */
  take(key: string): { choices: number[]; tag: Json } | undefined {
    const list = this.map.get(key);
    if (!list) return undefined;
    const item = list.shift();
    if (list.length === 0) this.map.delete(key);
    return item;
  }

  entries(): IterableIterator<[string, { choices: number[]; tag: Json }[]]> {
    return this.map.entries();
  }

  get size(): number {
    let n = 0;
    for (const l of this.map.values()) n += l.length;
    return n;
  }

  toJson(): Json {
    return [...this.map.entries()].map(([k, l]) => [k, l.map((p) => [p.choices, p.tag])]) as Json;
  }

  static fromJson(j: Json): PendingSet {
    const p = new PendingSet();
    for (const [k, l] of j as [string, [number[], Json][]][]) {
      p.map.set(
        k,
        l.map(([choices, tag]) => ({ choices: [...choices], tag })),
      );
    }
    return p;
  }
}

/** Numerically stable softmax. */
export function softmax(logits: readonly number[], temperature = 1): number[] {
  let m = -Infinity;
  for (const z of logits) if (z / temperature > m) m = z / temperature;
  const e = logits.map((z) => Math.exp(z / temperature - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** Cloning a JSON value (snapshots must not alias live state). */
export function cloneJson<T extends Json>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** Validates that a restored snapshot belongs to the strategy type that reads it. */
export function checkSnapshot(state: Json, type: string, version: number): JsonObject {
  if (state === null || typeof state !== 'object' || Array.isArray(state)) {
    throw new Error(`${type}: snapshot must be an object`);
  }
  if (state.type !== type || state.version !== version) {
    throw new Error(
      `${type}: snapshot of another strategy or version (${String(state.type)} v${String(state.version)})`,
    );
  }
  return state;
}

/** A Map<string, number> as JSON pairs and back. */
export function mapToJson(m: Map<string, number>): Json {
  return [...m.entries()] as Json;
}
export function mapFromJson(j: Json): Map<string, number> {
  return new Map(j as [string, number][]);
}
