// Benchmark `meta`: meta-learning across tasks.
// 1. NB201: a 300-trial regularized-evolution run on one column of the NAS-Bench-201 table (made by
//    the engine into a temporary store, not read off the table) is the knowledge for searches on the
//    other column; 20 seeds with and without `meta`, both directions, side by side (median queries to
//    the optimum and to the top 0.1%, mean best after the budget).
// 2. Real data (also by default; `meta real` runs only it, `--no-real` skips it): a digits run is the knowledge for a search
//    on builtin:mnist; trainings needed to reach the no-meta run's best accuracy, with and without.

import { reaWorkflow } from '../helpers/nb201.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../engine/store/store.js';
import { startRun } from '../../engine/search/run.js';
import type { MetaConfig, WorkflowConfig } from '../../engine/core/workflow.js';
import type { Emit } from './run.js';
import { measureStrategy } from './nb201.js';
import { flag, median, repoRoot } from './util.js';
import { loadBenchmarkTable } from '../../engine/evaluation/benchmark.js';

/** Queries (trial number) at which one search on `column` first reaches the column's optimum (budget + 1: never). */
async function measureOne(wf: WorkflowConfig, column: string, budget: number): Promise<number> {
  const table = loadBenchmarkTable(join(repoRoot(), 'workflows', 'benchmarks', 'nb201-cifar.csv'));
  let opt = -Infinity;
  for (const m of table.rows.values()) opt = Math.max(opt, m[column]);
  const store = Store.open(':memory:');
  try {
    const s = await startRun(store, {
      ...wf,
      parallel: 1,
      budget: { trials: budget, failures: wf.budget.failures },
      evaluation: { ...wf.evaluation, metric: column },
    });
    if (s.status === 'failed') throw new Error(s.reason);
    for (const t of store.trials(s.run, '').sort((a, b) => a.number - b.number))
      if ((t.metrics[column] ?? -Infinity) >= opt) return t.number;
    return budget + 1;
  } finally {
    store.close();
  }
}

const COLUMNS = ['cifar10', 'cifar100'] as const;

async function sourceStore(
  dir: string,
  column: string,
  budget: number,
  seed?: number,
): Promise<{ path: string; best: number }> {
  const wf0 = reaWorkflow();
  const wf = seed === undefined ? wf0 : { ...wf0, seed };
  const path = join(dir, `source-${column}-${seed ?? 'w'}.sqlite`);
  const store = Store.open(path);
  try {
    const s = await startRun(store, {
      ...wf,
      name: `nb201-source-${column}`,
      parallel: 1,
      budget: { trials: budget, failures: wf.budget.failures },
      evaluation: { ...wf.evaluation, metric: column },
    });
    if (s.status === 'failed') throw new Error(`source run on ${column}: ${s.reason}`);
    return { path, best: s.best?.metrics.accuracy ?? NaN };
  } finally {
    store.close();
  }
}

export default async function metaBench(emit: Emit, args: string[]): Promise<void> {
  const seeds = flag(args, 'seeds', 20);
  const budget = flag(args, 'budget', 300);
  const sourceBudget = flag(args, 'source', 300);
  const real = !args.includes('--no-real');
  const onlyReal = args.includes('real');
  if (!onlyReal) {
    const dir = mkdtempSync(join(tmpdir(), 'nas-meta-bench-'));
    try {
      const base = reaWorkflow();
      for (const [from, to] of [COLUMNS, [...COLUMNS].reverse()]) {
        const src = await sourceStore(dir, from, sourceBudget);
        emit({ source: from, source_trials: sourceBudget, source_best: src.best });
        const meta: MetaConfig = { from: [src.path], learn: ['space', 'strategy', 'evaluation'] };
        const variants: [string, WorkflowConfig][] = [
          ['no meta', base],
          ['meta', { ...base, meta }],
          ['meta: strategy only', { ...base, meta: { ...meta, learn: ['strategy'] } }],
          ['meta: space + evaluation', { ...base, meta: { ...meta, learn: ['space', 'evaluation'] } }],
        ];
        const rows: Record<string, unknown>[] = [];
        for (const [label, wf] of variants) {
          const f = await measureStrategy(wf, to, budget, seeds);
          const row = { from, to, variant: label, ...f };
          rows.push(row);
          emit(row);
        }
        // the same, but every target seed gets the knowledge of its own source run (source seed = target seed),
        // so the figure does not hang on one source run
        {
          const hits: number[] = [];
          const t0 = performance.now();
          for (let seed = 0; seed < seeds; seed++) {
            const own = await sourceStore(dir, from, sourceBudget, 1000 + seed);
            const f = await measureOne({ ...base, seed, meta: { ...meta, from: [own.path] } }, to, budget);
            hits.push(f);
          }
          const row = {
            from,
            to,
            variant: 'meta, own source run per seed',
            seeds,
            budget,
            median_queries_to_optimum: median(hits),
            optimum_found: hits.filter((h) => h <= budget).length,
            seconds: Math.round((performance.now() - t0) / 100) / 10,
          };
          rows.push(row);
          emit(row);
        }
        const q = (label: string) => rows.find((r) => r.variant === label)?.median_queries_to_optimum;
        emit({
          from,
          to,
          side_by_side: 'median queries to the optimum over ' + seeds + ' seeds',
          without_meta: q('no meta'),
          with_meta: q('meta'),
          with_meta_own_source_per_seed: q('meta, own source run per seed'),
          target: 20,
          ok: (q('meta') as number) <= 20,
        });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (real) {
    const mod = await import('./meta-real.js');
    await mod.default(emit, args);
  }
}
