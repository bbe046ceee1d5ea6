// The weight-sharing benches (enas, spos) on builtin:digits with the NB201 cell space
// (workflows/digits-enas.yaml, digits-spos.yaml), three runs of the same engine, data split and
// retraining options:
//   1. the method: its supernet trial, its top-K cells retrained from scratch, and `--check M`
//      uniformly random cells (rank_check) retrained too: they are the random reference
//      (random_median_accuracy) and, with the top-K, the pairs of the rank correlation;
//   2. random search with weight sharing (enas with controller: random): the same supernet budget
//      (epochs, batches) and as many architectures ranked (enas: `sample`; spos: population x
//      generations, what its evolution scores at most), uniform paths, a uniform draw ranked under
//      shared weights, its top-K retrained.
// Then every cell of both runs is trained stand-alone again with `--seeds S` seeds (standalone.ts,
// the same seeds and training for all), and a cell's accuracy is the median over its seeds: one
// training moves a cell by 0.01-0.05 (a bad last epoch), more than most cells differ (two trainings
// of the same 28 random cells ranked them alike with Kendall tau 0.09-0.24), and the median ignores
// such a seed where a mean would not. The runs' own single-seed accuracies are printed
// too (`*_run`), as is the run's kendall_tau (what `nas status` shows) beside the one against the
// seed medians (kendall_tau_seeds).
// One JSON line: derived_accuracy (the lead derived cell), derived_accuracies, random_median_accuracy,
// random_ws_accuracy (the baseline's lead cell), derived_mean_accuracy / random_ws_mean_accuracy (the
// top-K's mean, the less noisy comparison of the two), search_seconds (the supernet trial's wall
// time), kendall_tau / spearman_rho (from the run's info), and what the search did.
// Args: --check M (default 10), --seeds S (default 5), --seed N (default the file's).

import { join } from 'node:path';
import { loadavg } from 'node:os';
import { loadWorkflow } from '../../engine/workflow/index.js';
import { Store } from '../../engine/store/store.js';
import { startRun } from '../../engine/search/run.js';
import { rankingsOf } from '../../engine/core/ranking.js';
import type { TrialRecord } from '../../engine/core/types.js';
import type { WorkflowConfig } from '../../engine/core/workflow.js';
import { kendallTau } from '../../engine/core/ranking.js';
import { ONESHOT_DEFAULTS } from '../../engine/core/supernet.js';
import { standAlone } from './standalone.js';
import { flag, mean, median, repoRoot } from './util.js';

type Emit = (line: Record<string, unknown>) => void;

const r4 = (x: number) => Math.round(x * 10000) / 10000;

async function runOf(wf: WorkflowConfig): Promise<{ trials: TrialRecord[]; info: ReturnType<typeof rankingsOf> }> {
  const store = Store.open(':memory:');
  try {
    const run = await startRun(store, wf);
    if (run.status !== 'complete') throw new Error(`${wf.name} run ${run.status}: ${run.reason}`);
    return { trials: store.trials(run.run, ''), info: rankingsOf(store.getRun(run.run)!.info) };
  } finally {
    store.close();
  }
}

/** Architectures the method ranks under shared weights: random-ws ranks as many (spos: its evolution's). */
function ranked(strategy: Record<string, unknown>): number {
  const o = { ...ONESHOT_DEFAULTS, ...strategy };
  return strategy.type === 'spos' ? o.population * o.generations : o.sample;
}

const seconds = (t: TrialRecord) => Math.round((t.finishedAt! - t.startedAt) / 100) / 10;

export async function oneShotBench(method: 'enas' | 'spos', emit: Emit, args: string[]): Promise<void> {
  const base = loadWorkflow(join(repoRoot(), 'workflows', `digits-${method}.yaml`));
  const seed = flag(args, 'seed', base.seed);
  const check = flag(args, 'check', 10);
  const seeds = flag(args, 'seeds', 5);
  const candidates = Number(base.strategy.candidates ?? 3);
  const t0 = Date.now();
  const loadStart = loadavg()[0];
  const main = await runOf({
    ...base,
    seed,
    strategy: { ...base.strategy, rank_check: check },
    budget: { trials: 1 + candidates + check, failures: 0 },
  });
  const supernet = main.trials.find((t) => t.info?.job === 'supernet')!;
  const derived = main.trials.filter((t) => t.info?.origin === `${method}-derived` && t.state === 'complete');
  const random = main.trials.filter((t) => t.info?.origin === 'rank-check' && t.state === 'complete');
  if (!supernet || derived.length === 0) throw new Error(`the ${method} run has no supernet or no derived trial`);
  const baseline = await runOf({
    ...base,
    seed,
    name: `${base.name}-random-ws`,
    strategy: { ...base.strategy, type: 'enas', controller: 'random', rank_check: 0, sample: ranked(base.strategy) },
    budget: { trials: 1 + candidates, failures: 0 },
  });
  const bDerived = baseline.trials.filter((t) => t.info?.origin === 'enas-derived' && t.state === 'complete');
  const bSupernet = baseline.trials.find((t) => t.info?.job === 'supernet')!;
  const trained = await standAlone(
    { ...base, seed },
    [...derived, ...random, ...bDerived].map((t) => ({ key: t.key, arch: t.arch })),
    seeds,
  );
  const acc = (t: TrialRecord) => median(trained.get(t.key)!.accuracies);
  const dAcc = derived.map(acc);
  const bAcc = bDerived.map(acc);
  const randomMedian = median(random.map(acc));
  const [q] = main.info;
  const paired = [...derived, ...random];
  emit({
    derived_accuracy: r4(dAcc[0]),
    derived_accuracies: dAcc.map(r4),
    derived_beat_random_median: dAcc.filter((a) => a > randomMedian).length,
    derived_mean_accuracy: r4(mean(dAcc)),
    random_median_accuracy: r4(randomMedian),
    random_ws_accuracy: r4(bAcc[0] ?? NaN),
    random_ws_accuracies: bAcc.map(r4),
    random_ws_mean_accuracy: r4(mean(bAcc)),
    search_seconds: seconds(supernet),
    random_ws_search_seconds: seconds(bSupernet),
    kendall_tau: q?.kendall_tau ?? null,
    spearman_rho: q?.spearman_rho ?? null,
    ranking_pairs: q?.n ?? 0,
    kendall_tau_seeds: r4(
      kendallTau(
        paired.map((t) => t.info?.ws_score as number),
        paired.map(acc),
      ),
    ),
    seeds,
    derived_seed_accuracies: derived.map((t) => trained.get(t.key)!.accuracies.map(r4)),
    derived_accuracies_run: derived.map((t) => r4(t.metrics.accuracy)),
    random_median_accuracy_run: r4(median(random.map((t) => t.metrics.accuracy))),
    random_ws_accuracies_run: bDerived.map((t) => r4(t.metrics.accuracy)),
    derived_ws_scores: derived.map((t) => r4(t.info?.ws_score as number)),
    random_ws_scores: random.map((t) => r4(t.info?.ws_score as number)),
    random_accuracies: random.map((t) => r4(acc(t))),
    derived_keys: derived.map((t) => t.key),
    random_ws_keys: bDerived.map((t) => t.key),
    supernet_epochs: supernet.curve?.length ?? 0,
    supernet_last: supernet.curve?.[supernet.curve.length - 1]?.metrics ?? {},
    strategy: base.strategy,
    retrain: base.evaluation,
    parallel: base.parallel,
    seed,
    seconds_total: Math.round((Date.now() - t0) / 1000),
    // what else ran: the 1-minute load average when the bench started and when it ended
    load_average: [+loadStart.toFixed(2), +loadavg()[0].toFixed(2)],
  });
}
