// nas compare [--store PATH] [RUN...] [--json]: runs side by side (default: every run of the store):
// best value of the objective, trials and time it took to reach it, and how the best-so-far grew.

import { Store } from '../store/store.js';
import type { WorkflowConfig } from '../workflow/types.js';
import { objectiveScore } from '../types.js';
import { finalStage } from '../search/stages.js';
import { isSupernetTrial } from '../search/loop.js';
import { line, UsageError, type Io } from './io.js';
import { locateStore } from './locate-store.js';
import { pickRun, round, runLine, type RunLine } from './runs.js';

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
      'seconds',
    ];
    const table = rows.map((r) => [
      String(r.run),
      r.name,
      r.strategy,
      r.status,
      String(r.trials),
      r.best?.value === null || r.best === null ? '-' : round(r.best.value),
      r.trials_to_best === null ? '-' : String(r.trials_to_best),
      r.best_so_far.map((v) => (v === null ? '-' : round(v))).join(' / '),
      String(r.elapsed_s),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
    const fmt = (cells: string[]) =>
      cells
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd();
    line(io.stdout, fmt(header));
    for (const row of table) line(io.stdout, fmt(row));
    return 0;
  } finally {
    store.close();
  }
}
