// A minimal NAS-Bench-201 cell space (6 edges x ops), used by the scratch benchmark and the tests of
// the model-based strategies when engine/space has no cell space yet. Keys follow the community string.

import type { Json } from '../../engine/types.js';
import type { Rng } from '../../engine/rng.js';
import type { ChoicePriors, Decision, SearchSpace } from '../../engine/space/types.js';

export type CellArch = { ops: string[] };
const EDGES: [number, number][] = [[1, 0], [2, 0], [2, 1], [3, 0], [3, 1], [3, 2]];

export function nb201Space(ops: string[], edges = EDGES): SearchSpace<any> {
  const decisions: Decision[] = edges.map(([t, f]) => ({ name: `edge.${t}<-${f}`, choices: ops }));
  const idx = (arch: CellArch) => arch.ops.map((o) => ops.indexOf(o));
  const space: SearchSpace<any> = {
    kind: 'cell',
    next: (prefix) => (prefix.length < decisions.length ? decisions[prefix.length] : null),
    decisions: () => decisions,
    decode: (choices) => ({ ops: choices.map((c) => ops[c]) }),
    choicesOf: (arch: CellArch) => idx(arch),
    key: (arch: CellArch) => {
      let s = '|';
      let node = 1;
      edges.forEach(([t, f], i) => {
        if (t !== node) { s += '+|'; node = t; }
        s += `${arch.ops[i]}~${f}|`;
      });
      return s;
    },
    encode: (arch: CellArch) => {
      const v = new Array(edges.length * ops.length).fill(0);
      idx(arch).forEach((c, i) => (v[i * ops.length + c] = 1));
      return v;
    },
    size: () => ops.length ** edges.length,
    sample: (rng: Rng, priors?: ChoicePriors) => ({
      ops: decisions.map((d) => ops[priors?.[d.name] ? rng.weighted(priors[d.name]) : rng.int(ops.length)]),
    }),
    mutate: (arch: CellArch, rng: Rng) => {
      const o = [...arch.ops];
      const i = rng.int(o.length);
      o[i] = rng.pick(ops.filter((x) => x !== o[i]));
      return { ops: o };
    },
    crossover: (a: CellArch, b: CellArch, rng: Rng) => ({ ops: a.ops.map((o, i) => (rng.next() < 0.5 ? o : b.ops[i])) }),
    *enumerate() {
      const n = ops.length ** edges.length;
      for (let k = 0; k < n; k++) {
        const o: string[] = [];
        let x = k;
        for (let i = 0; i < edges.length; i++) { o.push(ops[x % ops.length]); x = Math.floor(x / ops.length); }
        yield { ops: o.reverse() };
      }
    },
    validate: (value: Json) => {
      const v = value as CellArch;
      if (!v || !Array.isArray(v.ops) || v.ops.length !== edges.length || v.ops.some((o) => !ops.includes(o))) {
        throw new Error('not a cell architecture: ' + JSON.stringify(value));
      }
      return v;
    },
  };
  return space;
}
