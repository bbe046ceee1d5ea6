// Benchmark `nb201`: search efficiency of every table-capable strategy on NAS-Bench-201, through
// the real engine loop (in-memory store), in the same form as ../shared/bench/nb201_peers.py:
// mean best after B queries, median queries to the top 0.1% (the 16 best of 15,625), median
// queries to the optimum (B+1 when not reached). A query is one distinct evaluation (a trial):
// the engine never evaluates a key twice. The peer script runs in the same run when python3 is there.

import { reaWorkflow } from '../helpers/nb201.js';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadWorkflow } from '../../engine/workflow/index.js';
import { Store } from '../../engine/store/store.js';
import { startRun } from '../../engine/search/run.js';
import { makeSpace, makeStrategy } from '../../engine/search/components.js';
import { loadBenchmarkTable } from '../../engine/evaluation/benchmark.js';
import { STRATEGIES } from '../../strategies/index.js';
import type { WorkflowConfig } from '../../engine/core/workflow.js';
import type { Emit } from './run.js';
import { flag, mean, median, repoRoot, sharedDir } from './util.js';

export interface Nb201Figures {
  method: string;
  column: string;
  budget: number;
  seeds: number;
  mean_best: number;
  'median_queries_to_top0.1pct': number;
  median_queries_to_optimum: number;
  optimum_found: number;
  seconds: number;
}

/** Accuracy of each query in order, per seed -> the figures of nb201_peers.py. */
function figuresOf(method: string, column: string, budget: number, runs: number[][], seconds: number): Nb201Figures {
  const table = loadBenchmarkTable(join(repoRoot(), 'workflows', 'benchmarks', 'nb201-cifar.csv'));
  const ranked = [...table.rows.values()].map((m) => m[column]).sort((a, b) => b - a);
  const [opt, top] = [ranked[0], ranked[15]];
  const firstQuery = (accs: number[], threshold: number) => {
    const i = accs.findIndex((a) => a >= threshold);
    return i >= 0 && i < budget ? i + 1 : budget + 1;
  };
  const toTop = runs.map((accs) => firstQuery(accs, top));
  const toOpt = runs.map((accs) => firstQuery(accs, opt));
  return {
    method,
    column,
    budget,
    seeds: runs.length,
    mean_best: Math.round(mean(runs.map((accs) => Math.max(...accs.slice(0, budget)))) * 1000) / 1000,
    'median_queries_to_top0.1pct': median(toTop),
    median_queries_to_optimum: median(toOpt),
    optimum_found: toOpt.filter((q) => q <= budget).length,
    seconds: Math.round(seconds * 10) / 10,
  };
}

/** Through the real engine (in-memory store): a query is a distinct evaluation, i.e. a trial. */
export async function measureStrategy(
  wf: WorkflowConfig,
  column: string,
  budget: number,
  seeds: number,
): Promise<Nb201Figures> {
  const runs: number[][] = [];
  const t0 = performance.now();
  for (let seed = 0; seed < seeds; seed++) {
    const run: WorkflowConfig = {
      ...wf,
      seed,
      parallel: 1,
      budget: { trials: budget, failures: wf.budget.failures },
      evaluation: { ...wf.evaluation, metric: column },
    };
    const store = Store.open(':memory:');
    const summary = await startRun(store, run);
    if (summary.status === 'failed') throw new Error(`${wf.strategy.type} seed ${seed}: ${summary.reason}`);
    runs.push(
      store.trials(summary.run, '').flatMap((t) => (t.metrics[column] === undefined ? [] : [t.metrics[column]])),
    );
    store.close();
  }
  return figuresOf(wf.strategy.type, column, budget, runs, (performance.now() - t0) / 1000);
}

/** The strategy driven directly (no engine, no dedup): every proposal is one query, as in the peer script. */
export async function measureCountingRepeats(
  wf: WorkflowConfig,
  column: string,
  budget: number,
  seeds: number,
): Promise<Nb201Figures> {
  const table = loadBenchmarkTable(join(repoRoot(), 'workflows', 'benchmarks', 'nb201-cifar.csv'));
  const space = makeSpace(wf);
  const runs: number[][] = [];
  const t0 = performance.now();
  for (let seed = 0; seed < seeds; seed++) {
    const strategy = makeStrategy({ ...wf, seed }, space);
    const accs: number[] = [];
    for (let q = 1; q <= budget; q++) {
      const a = strategy.ask();
      if (!('arch' in a)) throw new Error(`${wf.strategy.type} did not propose at query ${q}`);
      const key = space.key(a.arch);
      const acc = table.rows.get(key)?.[column];
      if (acc === undefined) throw new Error(`${key} is not in the table`);
      strategy.tell({
        number: q,
        key,
        arch: a.arch,
        state: 'complete',
        metrics: { accuracy: acc },
        seed: 0,
        attempts: 1,
        startedAt: 0,
      });
      accs.push(acc);
    }
    runs.push(accs);
  }
  return figuresOf(wf.strategy.type, column, budget, runs, (performance.now() - t0) / 1000);
}

/** Strategy variants benched beside their strategy, each from workflows/nb201-TYPE-VARIANT.yaml. */
const VARIANTS: Record<string, string[]> = { 'q-learning': ['network'] };

function pickFigures(f: Nb201Figures) {
  return {
    mean_best: f.mean_best,
    'median_queries_to_top0.1pct': f['median_queries_to_top0.1pct'],
    median_queries_to_optimum: f.median_queries_to_optimum,
  };
}

export default async function nb201(emit: Emit, args: string[]): Promise<void> {
  const budget = flag(args, 'budget', 300);
  const seeds = flag(args, 'seeds', 20);
  const only = args.find((a, i) => !a.startsWith('--') && !(args[i - 1] ?? '').startsWith('--'));
  for (const column of ['cifar10', 'cifar100']) {
    const ours = new Map<string, Nb201Figures>();
    for (const def of STRATEGIES) {
      if (only && def.type !== only) continue;
      const file = join(repoRoot(), 'workflows', `nb201-${def.type}.yaml`);
      if (!existsSync(file)) continue; // strategies that cannot run on a table (e.g. darts)
      // regularized evolution with the peer script's settings (its workflow's are sized for nas explain)
      const wf = def.type === 'regularized-evolution' ? reaWorkflow() : loadWorkflow(file);
      const figures = await measureStrategy(wf, column, budget, seeds);
      ours.set(def.type, figures);
      emit({ ...figures });
      // variants of a strategy with a workflow of their own: nb201-TYPE-VARIANT.yaml (q-learning-network)
      for (const variant of VARIANTS[def.type] ?? []) {
        const vFile = join(repoRoot(), 'workflows', `nb201-${def.type}-${variant}.yaml`);
        const v = await measureStrategy(loadWorkflow(vFile), column, budget, seeds);
        emit({ ...v, method: `${def.type}-${variant}`, beside: { method: def.type, ...pickFigures(figures) } });
      }
    }
    const peers = runPeers(column, budget, seeds);
    for (const p of peers) emit({ reference: 'nb201_peers.py', ...p });
    const peerRea = peers.find((p) => p.method === 'regularized-evolution');
    if (peerRea && (!only || only === 'regularized-evolution')) {
      // The peer script counts every query, repeats included; the engine never evaluates a key twice.
      // To compare the implementations, count our strategy's proposals the same way too.
      const counted = await measureCountingRepeats(reaWorkflow(), column, budget, seeds);
      emit({ ...counted, counting: 'every proposal, repeats included (as nb201_peers.py)' });
      const rea = ours.get('regularized-evolution');
      for (const [figures, counting] of [
        [rea, 'distinct evaluations'],
        [counted, 'every proposal'],
      ] as const) {
        if (!figures) continue;
        emit({
          column,
          compare: 'regularized-evolution vs peer REA',
          counting,
          mean_best_ratio: ratio(figures.mean_best, peerRea.mean_best),
          queries_to_top_ratio: ratio(figures['median_queries_to_top0.1pct'], peerRea['median_queries_to_top0.1pct']),
          queries_to_optimum_ratio: ratio(figures.median_queries_to_optimum, peerRea.median_queries_to_optimum),
        });
      }
    }
  }
}

function ratio(a: number, b: unknown): number | null {
  return typeof b === 'number' && b !== 0 ? Math.round((a / b) * 1000) / 1000 : null;
}

interface PeerLine {
  method: string;
  [k: string]: unknown;
}

function runPeers(column: string, budget: number, seeds: number): PeerLine[] {
  const shared = sharedDir();
  const script = shared && join(shared, 'bench', 'nb201_peers.py');
  if (!script || !existsSync(script) || !existsSync('/usr/bin/python3')) return [];
  try {
    const out = execFileSync('/usr/bin/python3', [script, column, String(budget), String(seeds)], {
      encoding: 'utf8',
      timeout: 600_000,
    });
    return out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as PeerLine);
  } catch (e) {
    return [{ method: 'nb201_peers.py', skipped: (e as Error).message.split('\n')[0] }];
  }
}
