// Behaviour of the sampling and evolutionary strategies beyond the shared contract, and an
// efficiency sanity check on the NAS-Bench-201 table.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Arch, Json, JsonObject, Metrics, Objective } from '../engine/core/types.js';
import { Rng, deriveSeed } from '../engine/core/rng.js';
import { CellSpace, NB201, neighbourChoices } from '../engine/space/index.js';
import type { SearchSpace } from '../engine/core/space.js';
import { getStrategy } from '../strategies/index.js';
import type { Strategy, WarmStart } from '../engine/core/strategy.js';
import { bestOf, drive } from './helpers/drive.js';
import { ROOT } from './helpers/paths.js';

const OBJ: Objective = { metric: 'score', mode: 'max' };
const nb201 = new CellSpace(NB201);
const tiny = new CellSpace({ nodes: 3, ops: ['a', 'b'] });
const keyOf = (a: Arch) => (nb201 as SearchSpace).key(a);
/** A landscape with structure: the share of edges holding a 3x3 convolution. */
const additive = (a: Arch): Metrics => ({
  score: nb201.validate(a).ops.filter((op) => op === 'nor_conv_3x3').length / 6,
});

function make(
  type: string,
  space: SearchSpace,
  options: JsonObject = {},
  seed = 1,
  warmStart?: WarmStart,
  objective = OBJ,
): Strategy {
  const def = getStrategy(type);
  if (!def) throw new Error(`no strategy ${type}`);
  return def.create(options, { space, seed, objective, warmStart });
}
const hashScore =
  (space: SearchSpace) =>
  (arch: Arch): Metrics => ({ score: deriveSeed(21, space.key(arch)) / 2 ** 32 });
const field = (snap: Json, name: string) => (snap as { [k: string]: Json })[name];

test('random: every architecture of a finite space once, then done', () => {
  const keys: string[] = [];
  const s = make('random', tiny);
  drive(s, tiny, hashScore(tiny), { budget: 100, onAsk: (_a, k) => keys.push(k) });
  assert.is(keys.length, 8);
  assert.is(new Set(keys).size, 8);
  assert.equal(s.ask(), { done: true });
});

test('random: warm-start priors steer samples', () => {
  const s = make('random', nb201, {}, 1, { priors: { 'edge.3<-2': [0, 0, 0, 1, 0] } });
  for (let i = 0; i < 30; i++) {
    const a = s.ask() as { arch: { ops: string[] } };
    assert.is(a.arch.ops[5], 'nor_conv_3x3');
  }
});

test('grid: enumeration order, or a seeded permutation; done at the end', () => {
  const order = [...tiny.enumerate()].map((a) => tiny.key(a));
  const keys: string[] = [];
  const g = make('grid', tiny);
  drive(g, tiny, hashScore(tiny), { budget: 100, onAsk: (_a, k) => keys.push(k) });
  assert.equal(keys, order);
  assert.equal(g.ask(), { done: true });
  const shuffled: string[] = [];
  drive(make('grid', tiny, { shuffle: true }), tiny, hashScore(tiny), {
    budget: 100,
    onAsk: (_a, k) => shuffled.push(k),
  });
  assert.equal([...shuffled].sort(), [...order].sort());
  assert.not.equal(shuffled, order);
});

test('regularized-evolution: warm archs first, then random; population is the last P results (aging), failures excluded', () => {
  const warm = [...nb201.enumerate()].slice(0, 2);
  const s = make('regularized-evolution', nb201, { population: 5, sample: 2 }, 3, { archs: warm });
  const first = [s.ask(), s.ask()].map((a) => ('arch' in a ? keyOf(a.arch) : ''));
  assert.equal(
    first,
    warm.map((a) => nb201.key(a)),
  );
  const fails = (a: Arch) => deriveSeed(4, keyOf(a)) % 3 === 0;
  const s2 = make('regularized-evolution', nb201, { population: 5, sample: 2 }, 3);
  const told: string[] = [];
  const records = drive(s2, nb201, (a) => (fails(a) ? null : hashScore(nb201)(a)), { budget: 30, parallel: 1 });
  for (const r of records) if (r.state === 'complete') told.push(r.key);
  assert.ok(records.some((r) => r.state === 'failed'));
  const population = (field(s2.snapshot(), 'population') as { key: string }[]).map((m) => m.key);
  assert.equal(population, told.slice(-5));
});

test('regularized-evolution: children are one-edge mutations of a population member', () => {
  const s = make('regularized-evolution', nb201, { population: 4, sample: 2 }, 5);
  drive(s, nb201, hashScore(nb201), { budget: 4 });
  const pop = (field(s.snapshot(), 'population') as { arch: { ops: string[] } }[]).map((m) => m.arch.ops);
  for (let i = 0; i < 10; i++) {
    const a = s.ask() as { arch: { ops: string[] } };
    assert.ok(pop.some((p) => p.filter((op, k) => op !== a.arch.ops[k]).length === 1));
  }
});

test('genetic: waits for the whole generation, and stops after `generations`', () => {
  const s = make('genetic', nb201, { population: 6, generations: 2, elitism: 1 }, 2);
  const asks = [1, 2, 3, 4, 5, 6].map(() => s.ask());
  assert.ok(asks.every((a) => 'arch' in a));
  assert.equal(s.ask(), { wait: true });
  const records = drive(
    make('genetic', nb201, { population: 6, generations: 2, elitism: 1 }, 2),
    nb201,
    hashScore(nb201),
    { budget: 100, parallel: 3 },
  );
  assert.is(records.length, 6 + 5); // elites are carried, not evaluated again
});

test('genetic: later generations improve on the first (additive landscape, mean score)', () => {
  const s = make('genetic', nb201, { population: 20, generations: 6 }, 3);
  const records = drive(s, nb201, additive, { budget: 1000, parallel: 4 });
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const first = records.slice(0, 20).map((r) => r.metrics.score);
  const last = records.slice(-19).map((r) => r.metrics.score);
  assert.ok(mean(last) > mean(first) + 0.1, `${mean(first)} -> ${mean(last)}`);
});

test('local-search: evaluates the full neighbourhood of the start, then moves only uphill', () => {
  const start = nb201.decode([0, 0, 0, 0, 0, 0]);
  const s = make('local-search', nb201, {}, 4, { archs: [start] });
  const keys: string[] = [];
  const records = drive(s, nb201, hashScore(nb201), { budget: 200, parallel: 3, onAsk: (_a, k) => keys.push(k) });
  assert.is(keys[0], nb201.key(start));
  const hood = neighbourChoices(nb201, nb201.choicesOf(start), new Rng(0)).map((c) => nb201.key(nb201.decode(c)));
  assert.is(hood.length, 24);
  assert.equal(new Set(keys.slice(1, 25)), new Set(hood));
  // the second neighbourhood is centred on the best of the first, if it improved
  const score = new Map(records.map((r) => [r.key, r.metrics.score]));
  const bestHood = hood.reduce((b, k) => ((score.get(k) ?? -1) > (score.get(b) ?? -1) ? k : b));
  const next = keys[25];
  const centre = (score.get(bestHood) ?? 0) > (score.get(keys[0]) ?? 0) ? bestHood : null;
  assert.ok(centre, 'this seed has an improving neighbour');
  const arch = nb201.parse(centre as string);
  const hood2 = new Set(
    neighbourChoices(nb201, nb201.choicesOf(arch), new Rng(0)).map((c) => nb201.key(nb201.decode(c))),
  );
  assert.ok(hood2.has(next), 'moves to the best improving neighbour');
});

test('local-search: a local optimum triggers a random restart', () => {
  // a landscape whose optimum is the start itself: every neighbour is worse
  const start = nb201.decode([3, 3, 3, 3, 3, 3]);
  const key0 = nb201.key(start);
  const s = make('local-search', nb201, {}, 5, { archs: [start] });
  const keys: string[] = [];
  drive(s, nb201, (a) => ({ score: keyOf(a) === key0 ? 1 : 0 }), { budget: 27, onAsk: (_a, k) => keys.push(k) });
  assert.ok(keys.length >= 26);
  assert.is(field(s.snapshot(), 'restarts'), 1);
});

test('efficiency: regularized evolution beats random on NB201 cifar10 (budget 300, 5 seeds)', () => {
  const table = new Map<string, number>();
  for (const line of readFileSync(join(ROOT, 'workflows/benchmarks/nb201-cifar.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)) {
    const [arch, c10] = line.split(',');
    table.set(arch, Number(c10));
  }
  const objective: Objective = { metric: 'cifar10', mode: 'max' };
  const evaluate = (a: Arch): Metrics => ({ cifar10: table.get(keyOf(a)) as number });
  const mean = (type: string) => {
    let sum = 0;
    for (let seed = 1; seed <= 5; seed++) {
      const s = make(type, nb201, {}, seed, undefined, objective);
      sum += bestOf(drive(s, nb201, evaluate, { budget: 300, parallel: 2, seed }), 'cifar10');
    }
    return sum / 5;
  };
  const re = mean('regularized-evolution');
  const rnd = mean('random');
  assert.ok(re > rnd + 0.2, `regularized evolution ${re.toFixed(3)} vs random ${rnd.toFixed(3)}`);
});

test.run();
