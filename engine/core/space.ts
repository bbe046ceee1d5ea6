// A search space is a tree of categorical decisions. Every architecture is the sequence of choice
// indices taken from the root; which decision comes next may depend on the choices before it
// (a chain's depth decides how many layers follow, a layer's type decides its parameters).
// Strategies that need structure (grid, RL controllers, surrogates) work on decisions; the rest use
// sample / mutate / crossover. Decision names are stable across architectures of one space, so
// knowledge (priors, Q-values, logits) can be attached to them.

import type { Arch, Json } from './types.js';
import type { Rng } from './rng.js';

export interface Decision {
  /** Stable, unique within the space, e.g. "edge.2<-1", "layer.3.type", "hyper.learning_rate". */
  name: string;
  choices: readonly Json[];
}

/** Sampling weights per decision name (one weight per choice); absent names sample uniformly. */
export type ChoicePriors = Record<string, readonly number[]>;

export interface SearchSpace<A extends Arch = Arch> {
  readonly kind: string;

  /** The decision after `prefix` (choice indices so far), or null when `prefix` is a complete architecture. */
  next(prefix: readonly number[]): Decision | null;
  /** Every decision that can occur, in a fixed order (the encoding's layout). */
  decisions(): readonly Decision[];
  /** Complete choice sequence -> architecture, and back. */
  decode(choices: readonly number[]): A;
  choicesOf(arch: A): number[];

  /** Canonical key: equal keys mean the same network (dedup, benchmark lookup, caching). */
  key(arch: A): string;
  /** Fixed-length numeric vector (one-hot per decision, zeros where a decision is absent). */
  encode(arch: A): number[];
  /** Number of distinct architectures (Infinity when not finite, e.g. continuous hyperparameters). */
  size(): number;

  sample(rng: Rng, priors?: ChoicePriors): A;
  mutate(arch: A, rng: Rng): A;
  crossover(a: A, b: A, rng: Rng): A;
  /** All architectures, in a fixed order; only when size() is finite. */
  enumerate(): Iterable<A>;
  /** Throws a clear Error when `value` is not an architecture of this space (used on user-given archs). */
  validate(value: Json): A;
}
