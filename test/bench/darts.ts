// DARTS on builtin:digits with the NB201 cell space (workflows/digits-darts.yaml): the supernet
// search as trial 1 of a run, its derived cell retrained from scratch by the `train` evaluator, and
// 10 random cells retrained the same way (same evaluation options, same data split) as the
// reference. One JSON line: derived_accuracy (the lead derived cell), random_median_accuracy,
// search_seconds (the supernet trial's wall time), and what the search did.
// Args: --random N (random cells, default 10), --seed N (workflow seed, default the file's).

import { join } from 'node:path';
import { loadWorkflow } from '../../engine/workflow/index.js';
import { Store } from '../../engine/store/store.js';
import { startRun } from '../../engine/search/run.js';
import { cellKey } from '../../engine/space/cell.js';
import type { TrialRecord } from '../../engine/core/types.js';
import { flag, median, repoRoot } from './util.js';

type Emit = (line: Record<string, unknown>) => void;

const r4 = (x: number) => Math.round(x * 10000) / 10000;

export default async function dartsBench(emit: Emit, args: string[]): Promise<void> {
  const base = loadWorkflow(join(repoRoot(), 'workflows', 'digits-darts.yaml'));
  const seed = flag(args, 'seed', base.seed);
  const nRandom = flag(args, 'random', 10);
  const t0 = Date.now();

  const store = Store.open(':memory:');
  const run = await startRun(store, { ...base, seed });
  if (run.status !== 'complete') throw new Error(`darts run ${run.status}: ${run.reason}`);
  const trials = store.trials(run.run, '');
  const supernet = trials.find((t) => t.info?.job === 'supernet') as TrialRecord;
  const derived = trials.filter((t) => t.info?.origin === 'darts-derived' && t.state === 'complete');
  if (!supernet || derived.length === 0) throw new Error('the darts run has no supernet trial or no derived trial');
  const lead = derived.find((t) => t.info?.rank === 1) ?? derived[0];
  const ops = (lead.arch as { ops: string[] }).ops;

  const rstore = Store.open(':memory:');
  const rrun = await startRun(rstore, {
    ...base,
    seed,
    name: `${base.name}-random`,
    strategy: { type: 'random' },
    budget: { trials: nRandom, failures: nRandom },
  });
  const random = rstore
    .trials(rrun.run, '')
    .filter((t) => t.state === 'complete')
    .map((t) => t.metrics.accuracy);
  const info = supernet.info ?? {};
  const last = supernet.curve?.[supernet.curve.length - 1]?.metrics ?? {};
  emit({
    derived_accuracy: r4(lead.metrics.accuracy),
    random_median_accuracy: r4(median(random)),
    search_seconds: Math.round((supernet.finishedAt! - supernet.startedAt) / 100) / 10,
    derived_key: cellKey({ ops }),
    derived_all_skip_or_none: ops.every((o) => o === 'skip_connect' || o === 'none'),
    derived_best_accuracy: r4(Math.max(...derived.map((t) => t.metrics.accuracy))),
    derived_cells: derived.length,
    random_accuracies: random.map(r4),
    random_beaten: random.filter((a) => lead.metrics.accuracy >= a).length,
    supernet_epochs: supernet.curve?.length ?? 0,
    derived_from_epoch: info.derived_from,
    stop: info.stop,
    alpha_entropy: r4(last.alpha_entropy ?? NaN),
    supernet_val_accuracy: r4(last.supernet_val_accuracy ?? NaN),
    backend: info.backend,
    parallel: base.parallel,
    retrain: base.evaluation,
    seed,
    seconds_total: Math.round((Date.now() - t0) / 1000),
  });
  store.close();
  rstore.close();
}
