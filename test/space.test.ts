// Search spaces: the cell space against the NAS-Bench-201 table, key round trips, mutation and
// crossover validity, chain consistency rules, encodings and enumeration counts.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../engine/core/rng.js';
import {
  CellSpace,
  ChainSpace,
  NB201,
  cellKey,
  createSpace,
  parseCellKey,
  type ChainArch,
} from '../engine/space/index.js';
import { LAYER_TYPES } from '../engine/space/layers.js';
import { ROOT } from './helpers/paths.js';

const nb201 = new CellSpace(NB201);
const tableKeys = readFileSync(join(ROOT, 'workflows/benchmarks/nb201-cifar.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(',')[0]);

test('nb201: every enumerated key is in the benchmark table, 15,625 distinct', () => {
  const table = new Set(tableKeys);
  const keys = new Set<string>();
  for (const a of nb201.enumerate()) {
    const k = nb201.key(a);
    assert.ok(table.has(k), k);
    keys.add(k);
  }
  assert.is(keys.size, 15625);
  assert.is(nb201.size(), 15625);
  assert.is(table.size, 15625);
});

test('cell: edge order and key layout', () => {
  assert.equal(
    nb201.decisions().map((d) => d.name),
    ['edge.1<-0', 'edge.2<-0', 'edge.2<-1', 'edge.3<-0', 'edge.3<-1', 'edge.3<-2'],
  );
  const arch = { ops: ['a0', 'b0', 'b1', 'c0', 'c1', 'c2'] };
  assert.is(cellKey(arch), '|a0~0|+|b0~0|b1~1|+|c0~0|c1~1|c2~2|');
  assert.is(cellKey({ ops: ['x'] }), '|x~0|');
});

test('cell: key -> parse -> key round trip over the table; bad keys fail clearly', () => {
  for (const k of tableKeys.slice(0, 2000)) assert.is(nb201.key(nb201.parse(k)), k);
  assert.throws(() => parseCellKey('|a~0|+|b~0|'), /node 2 needs 2 inputs/);
  assert.throws(() => parseCellKey('|a~1|'), /should be OP~0/);
  assert.throws(() => nb201.parse('|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|'), /edge\.1<-0.*"conv"/);
  assert.throws(() => nb201.parse('|none~0|'), /edge\.2<-0: missing/);
});

test('cell: mutate changes exactly one edge, to a different op', () => {
  const rng = new Rng(3);
  for (let i = 0; i < 300; i++) {
    const a = nb201.sample(rng);
    const b = nb201.mutate(a, rng);
    const changed = a.ops.filter((op, k) => op !== b.ops[k]).length;
    assert.is(changed, 1);
  }
});

test('cell: crossover children are valid and take each edge from a parent', () => {
  const rng = new Rng(4);
  for (let i = 0; i < 200; i++) {
    const a = nb201.sample(rng);
    const b = nb201.sample(rng);
    const c = nb201.crossover(a, b, rng);
    nb201.validate(c);
    c.ops.forEach((op, k) => assert.ok(op === a.ops[k] || op === b.ops[k]));
  }
});

test('cell: validate rejects non-members', () => {
  assert.throws(() => nb201.validate({ ops: ['none'] }), /edge\.2<-0: missing/);
  assert.throws(() => nb201.validate({ ops: [1, 2, 3, 4, 5, 6] }), /not one of/);
  assert.throws(() => nb201.validate({ ops: Array(7).fill('none') }), /unexpected content/);
  assert.throws(() => nb201.validate('x'), /not a cell architecture/);
  assert.throws(() => new CellSpace({ nodes: 1, ops: ['a'] }), /nodes/);
  assert.throws(() => new CellSpace({ nodes: 3, ops: ['a|b'] }), /may not/);
});

test('cell: priors steer sampling', () => {
  const rng = new Rng(5);
  const priors = { 'edge.1<-0': [0, 0, 0, 1, 0] };
  for (let i = 0; i < 50; i++) assert.is(nb201.sample(rng, priors).ops[0], 'nor_conv_3x3');
});

const chainConfig = {
  kind: 'chain' as const,
  input: [8, 8, 1],
  layers: {
    min: 1,
    max: 4,
    choose: {
      conv2d: { filters: [8, 16], kernel: [3] },
      max_pool: { size: [2, 4] },
      dense: { units: [16, 32] },
      dropout: {},
    },
  },
  hyper: { learning_rate: [0.001, 0.01], batch_size: [32] },
};

/** Checks the structural rules a builder relies on; returns the number of layers. */
function checkChain(arch: ChainArch, input: number[], min: number, max: number): void {
  assert.ok(arch.layers.length >= min && arch.layers.length <= max, `depth ${arch.layers.length}`);
  let flat = input.length === 1;
  let h = input[0];
  for (const l of arch.layers) {
    const info = LAYER_TYPES[l.type];
    if (info.spatial) assert.not.ok(flat, `spatial ${l.type} on a flat input in ${JSON.stringify(arch)}`);
    if (l.type === 'dense') flat = true;
    if (l.type === 'max_pool') {
      assert.ok(h >= (l.size as number), 'pool larger than the map');
      h = Math.floor(h / (l.size as number));
    }
    for (const p of Object.keys(info.params)) assert.ok(p in l, `${l.type} lacks ${p}`);
  }
}

test('chain: sampled, mutated and crossed-over archs obey the rules', () => {
  const space = new ChainSpace(chainConfig);
  const rng = new Rng(6);
  for (let i = 0; i < 300; i++) {
    const a = space.sample(rng);
    const b = space.mutate(a, rng);
    const c = space.crossover(a, space.sample(rng), rng);
    for (const x of [a, b, c]) {
      checkChain(x, chainConfig.input, 1, 4);
      assert.equal(space.validate(x), x);
    }
    assert.is.not(space.key(a), space.key(b), 'mutation changes the architecture');
  }
});

test('chain: a flat input never gets spatial layers; a spatial-only choice on a flat input is an error', () => {
  const space = new ChainSpace({ ...chainConfig, input: [20] });
  const rng = new Rng(7);
  for (let i = 0; i < 200; i++) checkChain(space.sample(rng), [20], 1, 4);
  assert.throws(
    () => new ChainSpace({ ...chainConfig, input: [20], layers: { min: 1, max: 2, choose: { conv2d: {} } } }),
    /spatial layers need a spatial input/,
  );
  assert.throws(
    () => new ChainSpace({ ...chainConfig, layers: { min: 1, max: 2, choose: { convolution: {} } } }),
    /unknown layer type/,
  );
});

test('chain: depth range honoured only where buildable (pools shrink the map)', () => {
  // 4x4 input, only pooling of size 2: at most two pools fit
  const space = new ChainSpace({ input: [4, 4, 1], layers: { min: 1, max: 5, choose: { max_pool: {} } }, hyper: {} });
  assert.equal(space.next([])?.choices, [1, 2]);
  assert.is(space.size(), 2);
  assert.equal(
    [...space.enumerate()].map((a) => space.key(a)),
    ['max_pool(size=2)', 'max_pool(size=2)>max_pool(size=2)'],
  );
});

test('chain: key is canonical and readable; validate rejects non-members', () => {
  const space = new ChainSpace(chainConfig);
  const arch: ChainArch = {
    layers: [
      { type: 'conv2d', kernel: 3, filters: 16, activation: 'relu', residual: false },
      { type: 'dense', units: 32, activation: 'relu' },
    ],
    hyper: { learning_rate: 0.01, batch_size: 32 },
  };
  assert.is(
    space.key(space.validate(arch)),
    'conv2d(activation=relu,filters=16,kernel=3,residual=false)>dense(activation=relu,units=32)|batch_size=32,learning_rate=0.01',
  );
  assert.throws(
    () =>
      space.validate({
        ...arch,
        layers: [
          { type: 'dense', units: 32, activation: 'relu' },
          { type: 'conv2d', kernel: 3, filters: 16, activation: 'relu', residual: false },
        ],
      }),
    /layer\.1\.type: "conv2d" is not one of/,
  );
  assert.throws(
    () => space.validate({ ...arch, hyper: { learning_rate: 0.5, batch_size: 32 } }),
    /hyper\.learning_rate: 0\.5/,
  );
  assert.throws(() => space.validate({ ...arch, layers: [] }), /depth: 0 is not one of/);
  assert.throws(() => space.validate({ ...arch, extra: 1 }), /unexpected content/);
});

test('encode: fixed length, one-hot per present decision', () => {
  const rng = new Rng(8);
  const len = nb201.encode(nb201.sample(rng)).length;
  assert.is(len, 30);
  for (let i = 0; i < 50; i++) {
    const v = nb201.encode(nb201.sample(rng));
    assert.is(v.length, 30);
    assert.is(
      v.reduce((s, x) => s + x, 0),
      6,
    );
  }
  const chain = new ChainSpace(chainConfig);
  const n = chain.encode(chain.sample(rng)).length;
  for (let i = 0; i < 100; i++) {
    const a = chain.sample(rng);
    const v = chain.encode(a);
    assert.is(v.length, n);
    // one per decision on the path: depth + per layer (type + params) + hyper
    const onPath = 1 + a.layers.reduce((s, l) => s + Object.keys(l).length, 0) + 2;
    assert.is(
      v.reduce((s, x) => s + x, 0),
      onPath,
    );
  }
});

test('enumerate count == size() and keys are distinct on small spaces', () => {
  const spaces = [
    createSpace({ kind: 'cell', nodes: 3, ops: ['a', 'b'] }),
    createSpace({ kind: 'cell', nodes: 2, ops: ['a', 'b', 'c'] }),
    createSpace({ ...chainConfig, layers: { ...chainConfig.layers, max: 2 } }),
    createSpace({ ...chainConfig, input: [10] }),
  ];
  for (const s of spaces) {
    const keys = [...s.enumerate()].map((a) => s.key(a));
    assert.is(keys.length, s.size(), s.kind);
    assert.is(new Set(keys).size, keys.length);
  }
  assert.is(spaces[0].size(), 8);
});

test('choicesOf/decode round trip and next() ends at a complete arch', () => {
  const rng = new Rng(9);
  const chain = new ChainSpace(chainConfig);
  for (const s of [nb201, chain] as const) {
    for (let i = 0; i < 50; i++) {
      const a = s.sample(rng);
      const c = s.choicesOf(a as never);
      assert.equal(s.decode(c), a);
      assert.is(s.next(c), null);
      assert.ok(s.next(c.slice(0, -1)) !== null);
    }
  }
});

test.run();
