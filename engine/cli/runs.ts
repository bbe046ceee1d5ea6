// nas runs [--store PATH] [--json]: every run of a store, one line each (name, status, stages,
// trials, best, time).

import type { RunRow, Store as StoreT } from '../store/store.js';
import { Store } from '../store/store.js';
import type { WorkflowConfig } from '../core/workflow.js';
import { bestTrials } from './inspect.js';
import { line, UsageError, type Io } from './io.js';
import { locateStore } from './locate-store.js';
import { finalStage } from '../core/stages.js';
import { duration, metricText, table } from '../report/format.js';

export function pickRun(store: StoreT, target: string): RunRow {
  const id = Number(target);
  const run = Number.isInteger(id) ? store.getRun(id) : undefined;
  if (!run)
    throw new UsageError(
      `no run "${target}" in ${store.path} (runs: ${
        store
          .listRuns()
          .map((r) => r.id)
          .join(', ') || 'none'
      })`,
    );
  return run;
}

export interface RunLine {
  run: number;
  name: string;
  status: string;
  reason: string | null;
  created: string;
  elapsed_s: number;
  stages: string[];
  strategy: string;
  objective: string;
  trials: number;
  rejected: number;
  best: { stage?: string; number: number; key: string; value: number | null; metrics: Record<string, number> } | null;
}

export function runLine(store: StoreT, run: RunRow): RunLine {
  const wf = run.config as unknown as WorkflowConfig;
  const c = store.trialCounts(run.id);
  const final = finalStage(wf);
  const best = bestTrials(store, run, 1)[0];
  const objective = final.objectives.map((o) => `${o.metric} (${o.mode})`).join(', ');
  return {
    run: run.id,
    name: run.name,
    status: run.status,
    reason: run.reason,
    created: new Date(run.createdAt).toISOString(),
    elapsed_s: Math.round(run.elapsedMs / 100) / 10,
    stages: wf.stages?.map((s) => s.name) ?? [],
    strategy: wf.stages?.length ? wf.stages.map((s) => s.strategy.type).join(' > ') : wf.strategy.type,
    objective,
    trials: c.complete + c.pruned + c.failed,
    rejected: store.rejected(run.id).length,
    best: best
      ? {
          ...(final.stage ? { stage: final.stage } : {}),
          number: best.number,
          key: best.key,
          value: best.metrics[final.objectives[0].metric] ?? null,
          metrics: best.metrics,
        }
      : null,
  };
}

export function runsCommand(flags: { store?: string; json?: boolean }, io: Io, cwd = process.cwd()): number {
  const store = Store.open(locateStore(flags.store, cwd), 'read');
  try {
    const lines = store.listRuns().map((r) => runLine(store, r));
    if (flags.json) line(io.stdout, JSON.stringify(lines));
    else if (lines.length === 0) line(io.stdout, `no runs in ${store.path}`);
    else {
      const rows = lines.map((l) => {
        const metric = l.objective.split(' ')[0];
        return [
          String(l.run),
          l.name,
          l.reason ? `${l.status} (${l.reason})` : l.status,
          String(l.trials),
          l.stages.length ? l.stages.join(' > ') : '-',
          l.strategy,
          l.best ? `${metric}=${metricText(metric, l.best.value)}` : '-',
          l.best ? `${l.best.stage ? `${l.best.stage} ` : ''}#${l.best.number}` : '-',
          duration(l.elapsed_s),
          l.created.slice(0, 16).replace('T', ' '),
        ];
      });
      const header = ['run', 'name', 'status', 'trials', 'stages', 'strategy', 'best', 'at', 'time', 'created (UTC)'];
      for (const t of table(header, rows, [
        'right',
        'left',
        'left',
        'right',
        'left',
        'left',
        'left',
        'left',
        'right',
        'left',
      ]))
        line(io.stdout, t);
    }
    return 0;
  } finally {
    store.close();
  }
}
