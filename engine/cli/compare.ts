// nas compare [--store PATH] [RUN...] [--json]: runs side by side (default: every run of the store):
// best value of the objective, trials and time it took to reach it, and how the best-so-far grew.

import { Store } from '../store/store.js';
import type { WorkflowConfig } from '../core/workflow.js';
import { objectiveScore } from '../core/types.js';
import { finalStage } from '../core/stages.js';
import { isSupernetTrial } from '../core/trial.js';
import { line, UsageError, type Io } from './io.js';
import { locateStore } from './locate-store.js';
import { pickRun, runLine, type RunLine } from './runs.js';
import { duration, metricText, table as aligned } from '../report/format.js';

export interface Comparison extends RunLine {
  /** Final-stage trials it took to reach its best, and the best-so-far after 25/50/75/100 % of them. */
  trials_to_best: number | null;
  best_so_far: (number | null)[];
}

export function compareCommand(
  targets: string[],
  flags: { store?: string; json?: boolean },
  io: Io,
  cwd = process.cwd(),
): number {
  const store = Store.open(locateStore(flags.store, cwd), 'read');
  try {
    const runs = targets.length ? targets.map((t) => pickRun(store, t)) : store.listRuns();
    if (runs.length === 0) throw new UsageError(`no runs in ${store.path}`);
    const rows: Comparison[] = runs.map((run) => {
      const wf = run.config as unknown as WorkflowConfig;
      const final = finalStage(wf);
      const o = final.objectives[0];
      const trials = store
        .trials(run.id, final.stage)
        .filter((t) => !isSupernetTrial(t) && t.state !== 'running')
        .sort((a, b) => (a.finishedAt ?? 0) - (b.finishedAt ?? 0));
      let best: number | null = null;
      let at: number | null = null;
      const curve: (number | null)[] = [];
      trials.forEach((t, i) => {
        const s = t.state === 'complete' ? objectiveScore(o, t.metrics) : null;
        if (s !== null && (best === null || s > best)) {
          best = s;
          at = i + 1;
        }
        curve.push(best === null ? null : o.mode === 'max' ? best : -best);
      });
      const q = [0.25, 0.5, 0.75, 1].map((f) =>
        curve.length ? curve[Math.max(0, Math.ceil(curve.length * f) - 1)] : null,
      );
      return { ...runLine(store, run), trials_to_best: at, best_so_far: q };
    });
    if (flags.json) {
      line(io.stdout, JSON.stringify(rows));
      return 0;
    }
    const metrics = new Set(rows.map((r) => r.objective));
    if (metrics.size > 1) line(io.stdout, `note: the runs optimise different objectives (${[...metrics].join('; ')})`);
    const header = [
      'run',
      'name',
      'strategy',
      'status',
      'trials',
      'best',
      'at trial',
      'best at 25/50/75/100 %',
      'time',
    ];
    const cells = rows.map((r) => {
      const metric = r.objective.split(' ')[0];
      return [
        String(r.run),
        r.name,
        r.strategy,
        r.status,
        String(r.trials),
        r.best === null ? '-' : metricText(metric, r.best.value),
        r.trials_to_best === null ? '-' : String(r.trials_to_best),
        r.best_so_far.map((v) => metricText(metric, v)).join(' / '),
        duration(r.elapsed_s),
      ];
    });
    for (const l of aligned(header, cells)) line(io.stdout, l);
    return 0;
  } finally {
    store.close();
  }
}
