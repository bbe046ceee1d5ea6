// A search space with some choices removed (meta-learning's `prune_ops`): the same decision tree,
// each decision offering only the allowed values (all of them when none would remain). Architectures,
// keys and the evaluator are those of the full space; only what a strategy can propose shrinks.

import type { Arch, Json } from '../core/types.js';
import type { Decision, SearchSpace } from '../core/space.js';
import { DecisionSpace } from '../space/base.js';
import { countLeaves, valueKey } from '../space/tree.js';

interface Filtered {
  decision: Decision;
  /** Restricted index -> index in the full decision. */
  toInner: number[];
}

export class RestrictedSpace extends DecisionSpace<Arch> {
  readonly kind: string;
  private readonly cache = new Map<Decision, Filtered>();
  private sizeCache: number | undefined;

  /** `removed`: decision name -> canonical values (valueKey) no longer offered. */
  constructor(
    readonly inner: SearchSpace,
    readonly removed: ReadonlyMap<string, ReadonlySet<string>>,
  ) {
    super();
    this.kind = inner.kind;
  }

  private filter(d: Decision): Filtered {
    let f = this.cache.get(d);
    if (f) return f;
    const gone = this.removed.get(d.name);
    const keep: number[] = [];
    d.choices.forEach((c, i) => {
      if (!gone?.has(valueKey(c))) keep.push(i);
    });
    const toInner = keep.length > 0 ? keep : d.choices.map((_, i) => i);
    f = { decision: { name: d.name, choices: toInner.map((i) => d.choices[i]) }, toInner };
    this.cache.set(d, f);
    return f;
  }

  /** Restricted choice indices -> indices of the full space. */
  private innerChoices(choices: readonly number[]): number[] {
    const out: number[] = [];
    for (const c of choices) {
      const d = this.inner.next(out);
      if (d === null) throw new Error(`${this.kind} space: choice sequence too long`);
      const i = this.filter(d).toInner[c];
      if (i === undefined) throw new RangeError(`choice ${c} out of range for ${d.name}`);
      out.push(i);
    }
    return out;
  }

  next(prefix: readonly number[]): Decision | null {
    const d = this.inner.next(this.innerChoices(prefix));
    return d && this.filter(d).decision;
  }

  decisions(): readonly Decision[] {
    return this.inner.decisions().map((d) => this.filter(d).decision);
  }

  decode(choices: readonly number[]): Arch {
    return this.inner.decode(this.innerChoices(choices));
  }

  choicesOf(arch: Arch): number[] {
    const full = this.inner.choicesOf(arch);
    const out: number[] = [];
    for (let k = 0; k < full.length; k++) {
      const d = this.inner.next(full.slice(0, k)) as Decision;
      const j = this.filter(d).toInner.indexOf(full[k]);
      if (j < 0) throw new Error(`${d.name}: ${JSON.stringify(d.choices[full[k]])} was pruned from this space`);
      out.push(j);
    }
    return out;
  }

  key(arch: Arch): string {
    return this.inner.key(arch);
  }

  size(): number {
    if (this.sizeCache === undefined)
      this.sizeCache = Number.isFinite(this.inner.size()) ? countLeaves(this, 2_000_000) : Infinity;
    return this.sizeCache;
  }

  validate(value: Json): Arch {
    const a = this.inner.validate(value);
    this.choicesOf(a);
    return a;
  }
}
