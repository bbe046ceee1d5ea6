// Scratch measurement of the model-based strategies on the NAS-Bench-201 table (the figures of
// shared/bench/nb201_peers.py: mean best, median queries to the top 0.1%, median queries to the
// optimum, optimum found), counting queries as distinct evaluations like the engine does.
// Usage: node dist/test/bench/nb201-strategies-scratch.js [strategy[,strategy]] [column[,column]] [budget] [seeds] [json-options] [first-seed]

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { Arch, Json, TrialRecord } from '../../engine/types.js';
import type { SearchSpace } from '../../engine/space/types.js';
import type { StrategyDefinition } from '../../strategies/types.js';
import { qLearning } from '../../strategies/q-learning.js';
import { reinforce } from '../../strategies/reinforce.js';
import { bayesian } from '../../strategies/bayesian.js';
import { nb201Space } from './nb201-mini-space.js';

const here = dirname(fileURLToPath(import.meta.url));
const OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'];

export function loadTable(column: string): Map<string, number> {
  const csv = readFileSync(join(here, '../../../workflows/benchmarks/nb201-cifar.csv'), 'utf8').trim().split(/\r?\n/);
  const head = csv[0].split(',');
  const ci = head.indexOf(column);
  const m = new Map<string, number>();
  for (const line of csv.slice(1)) {
    const cells = line.split(',');
    m.set(cells[0], Number(cells[ci]));
  }
  return m;
}

async function getSpace(): Promise<SearchSpace> {
  try {
    const mod = (await import('../../engine/space/index.js' as string)) as { createSpace(c: unknown): SearchSpace };
    return mod.createSpace({ kind: 'cell', preset: 'nb201', nodes: 4, ops: OPS });
  } catch {
    return nb201Space(OPS);
  }
}

export function runOne(def: StrategyDefinition<any>, options: any, space: SearchSpace, table: Map<string, number>, seed: number, budget: number, column: string) {
  const ranked = [...table.values()].sort((a, b) => b - a);
  const OPT = ranked[0], TOP = ranked[15];
  const s = def.create(options, { space, seed, objective: { metric: column, mode: 'max' }, budgetTrials: budget });
  const records = new Map<string, TrialRecord>();
  let q = 0, best = -Infinity, hitTop = budget + 1, hitOpt = budget + 1, asks = 0;
  while (q < budget) {
    if (++asks > budget * 2000) throw new Error('too many asks');
    const a = s.ask();
    if ('done' in a) break;
    if (!('arch' in a)) throw new Error('wait with nothing in flight');
    const key = space.key(a.arch);
    const earlier = records.get(key);
    if (earlier) { s.tell(earlier); continue; }
    q++;
    const acc = table.get(key);
    if (acc === undefined) throw new Error('unknown key ' + key);
    const rec: TrialRecord = { number: q, key, arch: a.arch as Arch, state: 'complete', metrics: { [column]: acc }, seed: q, attempts: 1, startedAt: 0 };
    records.set(key, rec);
    best = Math.max(best, acc);
    if (acc >= TOP && hitTop > budget) hitTop = q;
    if (acc >= OPT && hitOpt > budget) hitOpt = q;
    s.tell(rec);
  }
  return { best, hitTop, hitOpt, asks };
}

const median = (xs: number[]) => { const a = [...xs].sort((x, y) => x - y); const n = a.length; return n % 2 ? a[(n - 1) / 2] : (a[n / 2 - 1] + a[n / 2]) / 2; };

// uniform random without repeats (distinct evaluations), the reference
const randomDef: StrategyDefinition<any> = {
  type: 'random', description: '', optionsSchema: {},
  create: (_o, ctx) => {
    const { Rng } = { Rng: (globalThis as any).__Rng };
    const rng = new Rng(ctx.seed);
    return { ask: () => ({ arch: ctx.space.sample(rng) }), tell() {}, snapshot: () => null as Json, restore() {} };
  },
};

async function main() {
  const { Rng } = await import('../../engine/rng.js');
  (globalThis as any).__Rng = Rng;
  const [names = 'q-learning,reinforce,bayesian', cols = 'cifar10,cifar100', B = '300', S = '20', opts = '{}', first = '0'] = process.argv.slice(2);
  const defs: Record<string, StrategyDefinition<any>> = { 'q-learning': qLearning, reinforce, bayesian, random: randomDef };
  const space = await getSpace();
  for (const column of cols.split(',')) {
    const table = loadTable(column);
    for (const name of names.split(',')) {
      const t0 = Date.now();
      const res = [];
      for (let seed = Number(first); seed < Number(first) + Number(S); seed++) res.push(runOne(defs[name], JSON.parse(opts), space, table, seed, Number(B), column));
      const mean = res.reduce((a, r) => a + r.best, 0) / res.length;
      console.log(JSON.stringify({ method: name, column, budget: Number(B), seeds: Number(S), mean_best: Math.round(mean * 1000) / 1000,
        'median_queries_to_top0.1pct': median(res.map((r) => r.hitTop)), median_queries_to_optimum: median(res.map((r) => r.hitOpt)),
        optimum_found: res.filter((r) => r.hitOpt <= Number(B)).length, seconds: (Date.now() - t0) / 1000, opts: JSON.parse(opts) }));
    }
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
