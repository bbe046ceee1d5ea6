// Cell space (NAS-Bench-201 style): a DAG of N nodes with an edge j<-i for every i < j, each edge
// carrying one operation. Edges are ordered by target node, then source (1<-0 | 2<-0, 2<-1 | ...),
// and the canonical key is the community string |op~0|+|op~0|op~1|+|op~0|op~1|op~2|.

import type { Json } from '../core/types.js';
import type { Rng } from '../core/rng.js';
import type { CellSpaceConfig } from '../core/workflow.js';
import type { ChoicePriors, Decision } from '../core/space.js';
import { TreeSpace } from './base.js';

export type CellArch = { ops: string[] };

/** The ops the cell model builder knows (engine/training/model/cell.ts builds exactly these). */
export const CELL_OP_PATTERN = /^(none|skip_connect|nor_conv_(\d+)x\2|(avg|max)_pool_(\d+)x\4)$/;
export const CELL_OP_FORMS = 'none, skip_connect, nor_conv_KxK, avg_pool_KxK, max_pool_KxK';

export const NB201_OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'] as const;
export const NB201: CellSpaceConfig = { kind: 'cell', preset: 'nb201', nodes: 4, ops: [...NB201_OPS] };

export interface CellEdge {
  /** Target node j. */
  to: number;
  /** Source node i < j. */
  from: number;
}

/** Edges j<-i in canonical order. */
export function cellEdges(nodes: number): CellEdge[] {
  const out: CellEdge[] = [];
  for (let j = 1; j < nodes; j++) for (let i = 0; i < j; i++) out.push({ to: j, from: i });
  return out;
}

/** The community key of a cell architecture. */
export function cellKey(arch: CellArch): string {
  const groups: string[] = [];
  let k = 0;
  for (let j = 1; k < arch.ops.length; j++) {
    const parts: string[] = [];
    for (let i = 0; i < j; i++) parts.push(`${arch.ops[k++]}~${i}`);
    groups.push(`|${parts.join('|')}|`);
  }
  return groups.join('+');
}

/** Parses a community key (e.g. a benchmark table's arch column) back to an architecture. */
export function parseCellKey(key: string): CellArch {
  const ops: string[] = [];
  const groups = key.trim().split('+');
  groups.forEach((g, gi) => {
    const j = gi + 1;
    if (!(g.startsWith('|') && g.endsWith('|') && g.length > 2)) {
      throw new Error(`bad cell key "${key}": group ${j} "${g}" must look like |op~0|...|`);
    }
    const parts = g.slice(1, -1).split('|');
    if (parts.length !== j) throw new Error(`bad cell key "${key}": node ${j} needs ${j} inputs, has ${parts.length}`);
    parts.forEach((p, i) => {
      const m = /^([^~|+]+)~(\d+)$/.exec(p);
      if (!m || Number(m[2]) !== i) throw new Error(`bad cell key "${key}": "${p}" should be OP~${i}`);
      ops.push(m[1]);
    });
  });
  return { ops };
}

export class CellSpace extends TreeSpace<CellArch> {
  readonly kind = 'cell';
  readonly nodes: number;
  readonly ops: readonly string[];
  readonly edges: readonly CellEdge[];
  private readonly decs: readonly Decision[];

  constructor(config: Pick<CellSpaceConfig, 'nodes' | 'ops'> & { preset?: 'nb201' }) {
    super();
    const base = config.preset === 'nb201' ? NB201 : undefined;
    this.nodes = config.nodes ?? base?.nodes;
    this.ops = [...(config.ops ?? base?.ops ?? [])];
    if (!(Number.isInteger(this.nodes) && this.nodes >= 2))
      throw new Error(`cell space: nodes must be an integer >= 2, got ${this.nodes}`);
    if (this.ops.length === 0) throw new Error('cell space: ops must list at least one operation');
    for (const op of this.ops) {
      // the key syntax reserves these characters
      if (!/^[^~|+\s]+$/.test(op))
        throw new Error(`cell space: op name "${op}" may not be empty or contain ~ | + or spaces`);
    }
    if (new Set(this.ops).size !== this.ops.length) throw new Error('cell space: ops must be distinct');
    this.edges = cellEdges(this.nodes);
    this.decs = this.edges.map((e) => ({ name: `edge.${e.to}<-${e.from}`, choices: this.ops }));
  }

  protected *plan(): Generator<Decision, CellArch, number> {
    const ops: string[] = [];
    for (const d of this.decs) ops.push(this.ops[yield d]);
    return { ops };
  }

  protected valueAt(arch: Json, name: string): Json | undefined {
    if (arch === null || typeof arch !== 'object' || Array.isArray(arch)) return undefined;
    const ops = arch.ops;
    if (!Array.isArray(ops)) return undefined;
    const k = this.decs.findIndex((d) => d.name === name);
    return k >= 0 ? ops[k] : undefined;
  }

  decisions(): readonly Decision[] {
    return this.decs;
  }

  key(arch: CellArch): string {
    return cellKey(arch);
  }

  size(): number {
    return this.ops.length ** this.edges.length;
  }

  // Fast paths for the fixed decision list of a cell: the same choices and the same random draws
  // as the generic tree walk (tree.ts), without replaying the plan per decision. Strategies call
  // these in their inner loops (evolution proposes many already-evaluated children late in a run).

  override choicesOf(arch: CellArch): number[] {
    const ops = (arch as Partial<CellArch>)?.ops;
    if (Array.isArray(ops) && ops.length === this.decs.length) {
      const out = ops.map((op) => this.ops.indexOf(op));
      if (out.every((i) => i >= 0)) return out;
    }
    return super.choicesOf(arch); // its error says what is wrong
  }

  override decode(choices: readonly number[]): CellArch {
    if (
      choices.length === this.decs.length &&
      choices.every((c) => Number.isInteger(c) && c >= 0 && c < this.ops.length)
    ) {
      return { ops: choices.map((c) => this.ops[c]) };
    }
    return super.decode(choices);
  }

  override sample(rng: Rng, priors?: ChoicePriors): CellArch {
    if (priors && this.decs.some((d) => priors[d.name])) return super.sample(rng, priors);
    return { ops: this.decs.map(() => this.ops[rng.int(this.ops.length)]) };
  }

  override mutate(arch: CellArch, rng: Rng): CellArch {
    const choices = this.choicesOf(arch);
    const n = this.ops.length;
    if (n < 2) return { ops: [...arch.ops] };
    const k = rng.int(choices.length);
    const j = rng.int(n - 1);
    choices[k] = j >= choices[k] ? j + 1 : j;
    return this.decode(choices);
  }

  /** Parses a key and checks it belongs to this space. */
  parse(key: string): CellArch {
    return this.validate(parseCellKey(key));
  }
}
