// Bookkeeping shared by the sampling/evolutionary strategies (random, grid, regularized-evolution,
// genetic, local-search): scores, fresh samples, proposals in flight and snapshot checks.
// Everything is plain data so that snapshots stay JSON.

import type { Arch, Json, Objective, TrialRecord } from '../../engine/core/types.js';
import { objectiveScore } from '../../engine/core/types.js';
import type { Rng, RngState } from '../../engine/core/rng.js';
import type { ChoicePriors, SearchSpace } from '../../engine/core/space.js';

/** Score (larger is better) of a trial, or null when it failed or lacks the metric. */
export function scoreOf(objective: Objective, trial: TrialRecord): number | null {
  return trial.state === 'failed' ? null : objectiveScore(objective, trial.metrics);
}

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
export function checkSnapshot(state: Json, type: string, version: number): { [key: string]: Json } {
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
