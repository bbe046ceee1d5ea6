// Bookkeeping shared by the steady-state population strategies (regularized evolution, NSGA-II): an
// initial population of warm-start then fresh random architectures, then children bred from it; the
// keys in flight of each kind, so a result is told to the phase that proposed it. Plain data, so that
// snapshots stay JSON (and keep the field names those strategies always wrote).

import type { Arch, Json } from '../../engine/core/types.js';
import { Rng } from '../../engine/core/rng.js';
import type { Ask, StrategyContext } from '../../engine/core/strategy.js';
import { rngStateOf, sampleFresh, takeKey, validArchs } from './common.js';

export interface Breeding {
  rng: Rng;
  /** Keys of initial-population proposals in flight, and of children in flight. */
  initPending: string[];
  childPending: string[];
  /** Warm-start architectures not proposed yet. */
  warm: Arch[];
  /** Keys proposed for the initial population (so it avoids repeats). */
  seen: Set<string>;
}

export function newBreeding(ctx: StrategyContext): Breeding {
  return {
    rng: new Rng(ctx.seed),
    initPending: [],
    childPending: [],
    warm: validArchs(ctx.space, ctx.warmStart?.archs),
    seen: new Set(),
  };
}

/** The next initial-population proposal: a warm-start architecture, else a fresh random one. */
export function proposeInitial(b: Breeding, ctx: StrategyContext): Ask {
  const arch =
    b.warm.shift() ?? sampleFresh(ctx.space, b.rng, b.seen, ctx.warmStart?.priors) ?? ctx.space.sample(b.rng);
  const key = ctx.space.key(arch);
  b.seen.add(key);
  b.initPending.push(key);
  return { arch, info: { origin: 'initial' } };
}

/** Takes `key` off the proposals in flight; false when this strategy did not propose it. */
export function takeProposal(b: Breeding, key: string): boolean {
  return takeKey(b.initPending, key) || takeKey(b.childPending, key);
}

export function breedingSnapshot(b: Breeding): { [key: string]: Json } {
  return { initPending: [...b.initPending], childPending: [...b.childPending], warm: [...b.warm], seen: [...b.seen] };
}

export function restoreBreeding(j: { [key: string]: Json }): Breeding {
  return {
    rng: Rng.fromState(rngStateOf(j.rng)),
    initPending: j.initPending as string[],
    childPending: j.childPending as string[],
    warm: j.warm as Arch[],
    seen: new Set(j.seen as string[]),
  };
}
