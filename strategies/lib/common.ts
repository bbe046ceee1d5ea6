// Helpers shared by the strategies: sampling unseen architectures, tournaments, the seen-key set and
// the bookkeeping of proposals in flight, running statistics, and snapshot checks. Everything here is
// plain data so that snapshots stay JSON.

import type { Rng, RngState } from '../../engine/core/rng.js';
import type { ChoicePriors, SearchSpace } from '../../engine/core/space.js';
import type { Arch, Json, JsonObject } from '../../engine/core/types.js';

// Above this many architectures, listing the unseen ones to finish a space costs too much; such a
// space is effectively never exhausted by a trial budget.
const ENUMERATE_LIMIT = 200_000;

/** A sample whose key is not in `seen`; when sampling keeps hitting seen ones in a small finite space,
 *  a uniform pick among the unseen; null when the space is exhausted. In a huge space it may return a
 *  seen architecture rather than stall (the engine dedups it). */
export function sampleFresh(
  space: SearchSpace,
  rng: Rng,
  seen: ReadonlySet<string>,
  priors?: ChoicePriors,
  tries = 50,
): Arch | null {
  const size = space.size();
  if (seen.size >= size) return null;
  let last: Arch | null = null;
  for (let i = 0; i < tries; i++) {
    last = space.sample(rng, priors);
    if (!seen.has(space.key(last))) return last;
  }
  if (size > ENUMERATE_LIMIT) return last;
  const unseen: Arch[] = [];
  for (const a of space.enumerate()) if (!seen.has(space.key(a))) unseen.push(a);
  return unseen.length ? rng.pick(unseen) : null;
}

/** Warm-start architectures that belong to the space (others, e.g. from another space, are dropped). */
export function validArchs(space: SearchSpace, archs: readonly Arch[] | undefined): Arch[] {
  const out: Arch[] = [];
  for (const a of archs ?? []) {
    try {
      out.push(space.validate(a));
    } catch {
      // not of this space: ignore
    }
  }
  return out;
}

/** The best entry (highest score, first on ties) among a tournament drawn from `pool`. */
export function tournament<T extends { score: number }>(pool: readonly T[], size: number, rng: Rng): T {
  const contestants = rng.sample(pool, Math.max(1, Math.min(size, pool.length)));
  let best = contestants[0];
  for (const c of contestants) if (c.score > best.score) best = c;
  return best;
}

/** Throws unless `state` is a snapshot of strategy `type`; returns it as an object. */
/** The snapshot `state` as an object, after checking that it is one of this strategy at this version. */
export function checkSnapshot(state: Json, type: string, version: number): JsonObject {
  if (state === null || typeof state !== 'object' || Array.isArray(state) || state.type !== type) {
    throw new Error(`not a ${type} strategy snapshot`);
  }
  if (state.version !== version) throw new Error(`${type} snapshot version ${String(state.version)} is not ${version}`);
  return state;
}

export function rngStateOf(v: Json): RngState {
  if (!Array.isArray(v) || v.length !== 4 || !v.every((x) => typeof x === 'number'))
    throw new Error('bad rng state in snapshot');
  return v as RngState;
}

/** A scored architecture, as kept in populations. */
export type Scored = { arch: Arch; key: string; score: number };

/** Removes the first occurrence of `key` from a list of keys in flight; false when absent. */
export function takeKey(pending: string[], key: string): boolean {
  const i = pending.indexOf(key);
  if (i < 0) return false;
  pending.splice(i, 1);
  return true;
}

/**
 * The keys a strategy has proposed, snapshotted compactly: as the architectures' choice indices
 * ("3.0.4|1.2.2|...") rather than their keys, which are several times longer. A snapshot is
 * written after every trial, so its size decides the engine's overhead on long runs.
 */
export class SeenKeys {
  private readonly keys = new Set<string>();
  private readonly codes: string[] = [];

  constructor(private readonly space: SearchSpace) {}

  has(key: string): boolean {
    return this.keys.has(key);
  }

  get size(): number {
    return this.keys.size;
  }

  /** The set itself, for sampleFresh. */
  get set(): ReadonlySet<string> {
    return this.keys;
  }

  add(arch: Arch): string {
    const key = this.space.key(arch);
    if (!this.keys.has(key)) {
      this.keys.add(key);
      this.codes.push(this.space.choicesOf(arch).join('.'));
    }
    return key;
  }

  snapshot(): string {
    return this.codes.join('|');
  }

  static restore(space: SearchSpace, snapshot: Json | undefined): SeenKeys {
    const seen = new SeenKeys(space);
    if (typeof snapshot === 'string' && snapshot !== '') {
      for (const code of snapshot.split('|')) seen.add(space.decode(code === '' ? [] : code.split('.').map(Number)));
    }
    return seen;
  }
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

/** A Map<string, number> as JSON pairs and back. */
export function mapToJson(m: Map<string, number>): Json {
  return [...m.entries()] as Json;
}
export function mapFromJson(j: Json): Map<string, number> {
  return new Map(j as [string, number][]);
}
