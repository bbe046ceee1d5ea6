// Benchmark `schedule`: what `schedule: reproducible` costs in wall time against `schedule: eager`, on
// the quickstart (regularized evolution, parallel 2, median early stopping, where trial lengths vary
// most). Other workloads (--workloads quickstart,random,no-early-stopping): `random` is the quickstart
// with random search, whose proposals do not depend on results, so both schedules train nearly the same
// candidates and the wall ratio shows the scheduling alone; `no-early-stopping` drops the pruner.
// The two schedules run alternately (order rotated per repetition), since this machine drifts between
// passes. Per run: wall seconds, and where the time goes: `compute_s` = seconds the workers trained,
// `busy` = compute_s / (wall x parallel) (the rest: workers idle, waiting for an older trial or at the
// end), `pruned_late` = trials judged only when told (they trained past the step where they stop). The
// summary gives the wall ratio and the ratio of idle-corrected times (wall x busy), which separates
// the schedule's waiting from the two searches training different candidates.
// Args: --reps N (default 3), --workloads a,b.

import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWorkflow } from '../../engine/workflow/index.js';
import { Store } from '../../engine/store/store.js';
import { startRun } from '../../engine/search/run.js';
import type { WorkflowConfig } from '../../engine/core/workflow.js';
import type { Emit } from './run.js';
import { flag, median, repoRoot } from './util.js';

const SCHEDULES = ['eager', 'reproducible'] as const;

function workload(name: string): WorkflowConfig {
  const wf = loadWorkflow(join(repoRoot(), 'workflows', 'quickstart.yaml'));
  const base = { ...wf, budget: { ...wf.budget, time: undefined } };
  if (name === 'quickstart') return base;
  if (name === 'random') return { ...base, strategy: { type: 'random' } };
  if (name === 'no-early-stopping')
    return { ...base, evaluation: { ...base.evaluation, early_stopping: { rule: 'none' } } };
  throw new Error(`unknown workload "${name}" (quickstart, random, no-early-stopping)`);
}

export default async function schedule(emit: Emit, args: string[]): Promise<void> {
  const reps = flag(args, 'reps', 3);
  const at = args.indexOf('--workloads');
  const workloads = at >= 0 && args[at + 1] ? args[at + 1].split(',') : ['quickstart'];
  const dir = mkdtempSync(join(tmpdir(), 'nas-schedule-'));
  try {
    for (const name of workloads) {
      const wall: Record<string, number[]> = { eager: [], reproducible: [] };
      const busyAll: Record<string, number[]> = { eager: [], reproducible: [] };
      for (let rep = 0; rep < reps; rep++) {
        const order = rep % 2 === 0 ? SCHEDULES : [...SCHEDULES].reverse();
        for (const sched of order) {
          const wf = { ...workload(name), schedule: sched };
          const store = Store.open(join(dir, `${name}-${sched}-${rep}.sqlite`));
          const t0 = performance.now();
          const summary = await startRun(store, wf);
          const seconds = (performance.now() - t0) / 1000;
          const trials = store.trials(summary.run, '');
          store.close();
          const busy = trials.reduce((s, t) => s + (typeof t.info?.seconds === 'number' ? t.info.seconds : 0), 0);
          wall[sched].push(seconds);
          busyAll[sched].push(busy / (seconds * wf.parallel));
          emit({
            workload: name,
            schedule: sched,
            rep: rep + 1,
            wall_s: round(seconds),
            trials: summary.trials,
            pruned: trials.filter((t) => t.state === 'pruned').length,
            pruned_late: trials.filter((t) => t.info?.pruned_late === true).length,
            compute_s: round(busy),
            busy: round(busy / (seconds * wf.parallel)),
            best: summary.best?.metrics[wf.objective.metric] ?? null,
            best_trial: summary.best?.number ?? null,
            // digests: equal across repetitions when the schedule reproduces (keys in number order; the whole table)
            keys: digest(trials.map((t) => t.key)),
            table: digest(trials.map((t) => [t.key, t.state, t.metrics])),
          });
        }
      }
      const e = median(wall.eager);
      const r = median(wall.reproducible);
      const be = median(busyAll.eager);
      const br = median(busyAll.reproducible);
      emit({
        workload: name,
        eager_median_s: round(e),
        reproducible_median_s: round(r),
        reproducible_over_eager: round(r / e),
        // the waiting alone: how much longer the same compute takes at the reproducible schedule's busy fraction
        idle_cost: round(be / br),
        eager_busy: round(be),
        reproducible_busy: round(br),
        target: 1.1,
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function digest(x: unknown): string {
  return createHash('sha256').update(JSON.stringify(x)).digest('hex').slice(0, 12);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
