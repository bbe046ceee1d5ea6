// A search space described by one generator (`plan`) that yields each decision and receives the
// chosen index, returning the architecture at the end. Everything else in SearchSpace follows from
// it through the generic tree operations (engine/space/tree.ts).

import type { Arch, Json } from '../core/types.js';
import type { Rng } from '../core/rng.js';
import type { ChoicePriors, Decision, SearchSpace } from '../core/space.js';
import {
  choicesFromValues,
  crossoverChoices,
  encodeChoices,
  enumerateChoices,
  mutateChoices,
  sampleChoices,
  valueKey,
} from './tree.js';

/**
 * The operations every decision-tree space gets from next()/decode()/choicesOf() alone (sampling,
 * mutation, crossover, enumeration, encoding). Spaces described by a plan extend TreeSpace below;
 * wrappers of another space (meta-learning's RestrictedSpace) extend this directly.
 */
export abstract class DecisionSpace<A extends Arch> implements SearchSpace<A> {
  abstract readonly kind: string;
  abstract next(prefix: readonly number[]): Decision | null;
  abstract decisions(): readonly Decision[];
  abstract decode(choices: readonly number[]): A;
  abstract choicesOf(arch: A): number[];
  abstract key(arch: A): string;
  abstract size(): number;
  abstract validate(value: Json): A;

  encode(arch: A): number[] {
    return encodeChoices(this, this.choicesOf(arch));
  }

  sample(rng: Rng, priors?: ChoicePriors): A {
    return this.decode(sampleChoices(this, rng, priors));
  }

  mutate(arch: A, rng: Rng): A {
    return this.decode(mutateChoices(this, this.choicesOf(arch), rng));
  }

  crossover(a: A, b: A, rng: Rng): A {
    return this.decode(crossoverChoices(this, this.choicesOf(a), this.choicesOf(b), rng));
  }

  *enumerate(): Iterable<A> {
    for (const c of enumerateChoices(this)) yield this.decode(c);
  }
}

export abstract class TreeSpace<A extends Arch> extends DecisionSpace<A> {
  /** Yields decisions in order, receives choice indices, returns the architecture. */
  protected abstract plan(): Generator<Decision, A, number>;
  /** The value `arch` has for the decision `name` (undefined when it has none); `arch` is untrusted. */
  protected abstract valueAt(arch: Json, name: string): Json | undefined;

  /** Runs the plan over `choices`; the last yielded decision (prefix) or the architecture (complete). */
  private run(choices: readonly number[]): IteratorResult<Decision, A> {
    const g = this.plan();
    let r = g.next(0);
    for (let k = 0; k < choices.length; k++) {
      if (r.done) throw new Error(`${this.kind} space: choice sequence too long (${choices.length - k} extra)`);
      const c = choices[k];
      if (!(Number.isInteger(c) && c >= 0 && c < r.value.choices.length)) {
        throw new RangeError(`${this.kind} space: choice ${c} out of range for ${r.value.name}`);
      }
      r = g.next(c);
    }
    return r;
  }

  next(prefix: readonly number[]): Decision | null {
    const r = this.run(prefix);
    return r.done ? null : r.value;
  }

  decode(choices: readonly number[]): A {
    const r = this.run(choices);
    if (!r.done) throw new Error(`${this.kind} space: incomplete choices, ${r.value.name} is missing`);
    return r.value;
  }

  choicesOf(arch: A): number[] {
    return choicesFromValues(this, (name) => this.valueAt(arch, name));
  }

  validate(value: Json): A {
    let choices: number[];
    try {
      choices = choicesFromValues(this, (name) => this.valueAt(value, name));
    } catch (e) {
      throw new Error(`not a ${this.kind} architecture of this space: ${(e as Error).message}`, { cause: e });
    }
    const arch = this.decode(choices);
    if (valueKey(arch) !== valueKey(value)) {
      throw new Error(
        `not a ${this.kind} architecture of this space: unexpected content in ${JSON.stringify(value)} (expected the shape of ${JSON.stringify(arch)})`,
      );
    }
    return arch;
  }
}
