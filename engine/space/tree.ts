// Generic operations over the decision tree of engine/space/types.ts. A space only has to say which
// decision comes after a prefix; sampling, mutation, crossover, enumeration and encoding follow.
// Decisions are matched across architectures by name and their choices by value (not index), because
// one decision may offer a context-dependent subset of its full choice list (a chain offers no conv
// after a dense layer), while decisions() lists every choice a name can ever have.

import type { Json } from '../core/types.js';
import type { Rng } from '../core/rng.js';
import type { ChoicePriors, Decision } from '../core/space.js';

export interface DecisionTree {
  next(prefix: readonly number[]): Decision | null;
  decisions(): readonly Decision[];
}

/** Canonical text of a choice value, for comparing values (object keys sorted). */
export function valueKey(v: Json | undefined): string {
  if (v === undefined) return 'undefined';
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(valueKey).join(',')}]`;
  const keys = Object.keys(v).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${valueKey(v[k])}`).join(',')}}`;
}

/** Index of `value` among `choices`, or -1. */
export function indexOfValue(choices: readonly Json[], value: Json | undefined): number {
  const k = valueKey(value);
  return choices.findIndex((c) => valueKey(c) === k);
}

// A space never has more decisions on one path than this; guards against a tree that never ends.
const MAX_PATH = 100_000;

/** Walks from the root (or a prefix), letting `pick` choose an index at every decision. */
export function walk(
  tree: DecisionTree,
  pick: (d: Decision, prefix: readonly number[]) => number,
  prefix: readonly number[] = [],
): number[] {
  const out = [...prefix];
  for (let d = tree.next(out); d !== null; d = tree.next(out)) {
    if (d.choices.length === 0) throw new Error(`decision ${d.name} has no choices`);
    const i = pick(d, out);
    if (!(Number.isInteger(i) && i >= 0 && i < d.choices.length)) {
      throw new RangeError(`choice ${i} out of range for decision ${d.name} (${d.choices.length} choices)`);
    }
    out.push(i);
    if (out.length > MAX_PATH) throw new Error('decision tree path too long');
  }
  return out;
}

/** The decisions met along a complete choice sequence (throws when it is not one). */
export function pathOf(tree: DecisionTree, choices: readonly number[]): Decision[] {
  const path: Decision[] = [];
  for (let k = 0; k <= choices.length; k++) {
    const d = tree.next(choices.slice(0, k));
    if (k === choices.length) {
      if (d !== null) throw new Error(`incomplete choice sequence: decision ${d.name} is missing`);
      break;
    }
    if (d === null) throw new Error(`choice sequence too long: ${choices.length - k} extra choice(s)`);
    const c = choices[k];
    if (!(Number.isInteger(c) && c >= 0 && c < d.choices.length)) {
      throw new RangeError(`choice ${c} out of range for decision ${d.name}`);
    }
    path.push(d);
  }
  return path;
}

/** name -> chosen value along a complete choice sequence. */
export function namedValues(tree: DecisionTree, choices: readonly number[]): Map<string, Json> {
  const m = new Map<string, Json>();
  pathOf(tree, choices).forEach((d, k) => m.set(d.name, d.choices[choices[k]]));
  return m;
}

/** Choice sequence of an architecture given how to read a decision's value from it; clear errors. */
export function choicesFromValues(tree: DecisionTree, valueOf: (name: string) => Json | undefined): number[] {
  return walk(tree, (d) => {
    const v = valueOf(d.name);
    const i = indexOfValue(d.choices, v);
    if (i < 0) {
      const got = v === undefined ? 'missing' : JSON.stringify(v);
      throw new Error(`${d.name}: ${got} is not one of ${JSON.stringify(d.choices)}`);
    }
    return i;
  });
}

export interface Layout {
  length: number;
  /** name -> offset in the encoding and the full choice list of that name. */
  slots: Map<string, { offset: number; choices: readonly Json[]; index: Map<string, number> }>;
}

const layouts = new WeakMap<DecisionTree, Layout>();

/** The encoding's layout: decisions() in order, one slot per choice. Cached per tree. */
export function layoutOf(tree: DecisionTree): Layout {
  let l = layouts.get(tree);
  if (l) return l;
  const slots: Layout['slots'] = new Map();
  let offset = 0;
  for (const d of tree.decisions()) {
    if (slots.has(d.name)) throw new Error(`duplicate decision name ${d.name}`);
    const index = new Map<string, number>();
    d.choices.forEach((c, i) => index.set(valueKey(c), i));
    slots.set(d.name, { offset, choices: d.choices, index });
    offset += d.choices.length;
  }
  l = { length: offset, slots };
  layouts.set(tree, l);
  return l;
}

/** Position of a (local) choice value in the full choice list of its decision name, or -1. */
export function globalIndex(tree: DecisionTree, name: string, value: Json): number {
  return layoutOf(tree).slots.get(name)?.index.get(valueKey(value)) ?? -1;
}

/** Sampling weights of the choices offered by `d`, from priors given over the full choice list. */
export function priorWeights(tree: DecisionTree, d: Decision, priors?: ChoicePriors): number[] | null {
  const w = priors?.[d.name];
  if (!w) return null;
  const out = d.choices.map((c) => {
    const g = globalIndex(tree, d.name, c);
    const x = g >= 0 ? w[g] : undefined;
    return typeof x === 'number' && x > 0 ? x : 0;
  });
  return out.some((x) => x > 0) ? out : null;
}

function sampleAt(tree: DecisionTree, d: Decision, rng: Rng, priors?: ChoicePriors): number {
  const w = priorWeights(tree, d, priors);
  return w ? rng.weighted(w) : rng.int(d.choices.length);
}

export function sampleChoices(
  tree: DecisionTree,
  rng: Rng,
  priors?: ChoicePriors,
  prefix: readonly number[] = [],
): number[] {
  return walk(tree, (d) => sampleAt(tree, d, rng, priors), prefix);
}

/** Completes `prefix`, taking for each later decision the first preferred value it offers, else sampling. */
export function rewalk(
  tree: DecisionTree,
  prefix: readonly number[],
  preferred: (name: string) => Json[],
  rng: Rng,
): number[] {
  return walk(
    tree,
    (d) => {
      for (const v of preferred(d.name)) {
        const i = indexOfValue(d.choices, v);
        if (i >= 0) return i;
      }
      return rng.int(d.choices.length);
    },
    prefix,
  );
}

/** Positions along the path whose decision offers an alternative. */
function mutablePositions(path: readonly Decision[]): number[] {
  const out: number[] = [];
  path.forEach((d, k) => {
    if (d.choices.length > 1) out.push(k);
  });
  return out;
}

/** Changes exactly one decision to another choice; the rest keeps its values where still offered.
 *  Returns a copy of `choices` when no decision has an alternative. */
export function mutateChoices(tree: DecisionTree, choices: readonly number[], rng: Rng): number[] {
  const path = pathOf(tree, choices);
  const positions = mutablePositions(path);
  if (positions.length === 0) return [...choices];
  const k = rng.pick(positions);
  return changeAt(tree, choices, path, k, pickOther(rng, path[k].choices.length, choices[k]), rng);
}

function pickOther(rng: Rng, n: number, old: number): number {
  const j = rng.int(n - 1);
  return j >= old ? j + 1 : j;
}

function changeAt(
  tree: DecisionTree,
  choices: readonly number[],
  path: readonly Decision[],
  k: number,
  to: number,
  rng: Rng,
): number[] {
  const old = new Map<string, Json>();
  path.forEach((d, i) => old.set(d.name, d.choices[choices[i]]));
  const prefix = [...choices.slice(0, k), to];
  return rewalk(tree, prefix, (name) => (old.has(name) ? [old.get(name) as Json] : []), rng);
}

/** Every one-step neighbour: each decision with alternatives set to each other choice, in path order. */
export function neighbourChoices(tree: DecisionTree, choices: readonly number[], rng: Rng): number[][] {
  const path = pathOf(tree, choices);
  const out: number[][] = [];
  for (const k of mutablePositions(path)) {
    for (let c = 0; c < path[k].choices.length; c++) {
      if (c !== choices[k]) out.push(changeAt(tree, choices, path, k, c, rng));
    }
  }
  return out;
}

/** Uniform crossover by decision name: each decision takes parent a's or b's value, else samples. */
export function crossoverChoices(tree: DecisionTree, a: readonly number[], b: readonly number[], rng: Rng): number[] {
  const va = namedValues(tree, a);
  const vb = namedValues(tree, b);
  return rewalk(
    tree,
    [],
    (name) => {
      const cands: Json[] = [];
      const first = rng.next() < 0.5 ? [va, vb] : [vb, va];
      for (const m of first) if (m.has(name)) cands.push(m.get(name) as Json);
      return cands;
    },
    rng,
  );
}

/** Depth-first enumeration in choice order (the last decision varies fastest). */
export function* enumerateChoices(tree: DecisionTree): Generator<number[]> {
  const prefix: number[] = [];
  const stack: number[] = []; // number of choices at each level
  let d = tree.next(prefix);
  if (d === null) {
    yield [];
    return;
  }
  prefix.push(0);
  stack.push(d.choices.length);
  while (prefix.length > 0) {
    d = tree.next(prefix);
    if (d === null) {
      yield [...prefix];
      // advance to the next sibling, popping finished levels
      while (prefix.length > 0 && prefix[prefix.length - 1] + 1 >= stack[stack.length - 1]) {
        prefix.pop();
        stack.pop();
      }
      if (prefix.length > 0) prefix[prefix.length - 1]++;
    } else {
      if (d.choices.length === 0) throw new Error(`decision ${d.name} has no choices`);
      prefix.push(0);
      stack.push(d.choices.length);
    }
  }
}

/** Leaves of the tree by depth-first count; Infinity once above `limit` (spaces usually know better). */
export function countLeaves(tree: DecisionTree, limit = 1e7): number {
  let n = 0;
  for (const _ of enumerateChoices(tree)) {
    if (++n > limit) return Infinity;
  }
  return n;
}

/** One-hot per decision of decisions() (by value), zeros where a decision is absent. */
export function encodeChoices(tree: DecisionTree, choices: readonly number[]): number[] {
  const layout = layoutOf(tree);
  const v = new Array<number>(layout.length).fill(0);
  pathOf(tree, choices).forEach((d, k) => {
    const slot = layout.slots.get(d.name);
    if (!slot) throw new Error(`decision ${d.name} is missing from decisions()`);
    const i = slot.index.get(valueKey(d.choices[choices[k]]));
    if (i === undefined) throw new Error(`${d.name}: choice missing from decisions()`);
    v[slot.offset + i] = 1;
  });
  return v;
}
