// nas status [--store PATH] [RUN] and nas best [--store PATH] [--top K] [--json] [RUN]

import { Store, type RunRow } from '../store/store.js';
import type { TrialRecord, TrialState } from '../core/types.js';
import { rankedTrials } from '../search/stages.js';
import { finalStage } from '../core/stages.js';
import { paretoFront } from '../core/pareto.js';
import type { WorkflowConfig } from '../core/workflow.js';
import { line, UsageError, type Io } from './io.js';
import { locateStore } from './locate-store.js';

export function statusCommand(target: string | undefined, flags: { store?: string; json?: boolean }, io: Io): number {
  const store = Store.open(locateStore(flags.store));
  try {
    const runs = target ? [pickRun(store, target)] : store.listRuns();
    const rows = runs.map((r) => {
      const c = store.trialCounts(r.id);
      const best = bestTrials(store, r, 1)[0];
      const wf = r.config as unknown as WorkflowConfig;
      return {
        run: r.id,
        name: r.name,
        status: r.status,
        reason: r.reason,
        budget: wf.budget,
        trials: c,
        elapsed_s: Math.round(r.elapsedMs / 100) / 10,
        ...(wf.stages ? { stages: stageRows(store, r.id, wf) } : {}),
        best: best ? { number: best.number, key: best.key, metrics: best.metrics } : null,
      };
    });
    if (flags.json) line(io.stdout, JSON.stringify(rows));
    else {
      if (rows.length === 0) line(io.stdout, 'no runs in this store');
      for (const r of rows) {
        line(io.stdout, `run ${r.run} ${r.name}: ${r.status}${r.reason ? ` (${r.reason})` : ''}`);
        // a staged run's trial budgets are its stages'; the workflow's own applies to none of them
        for (const st of r.stages ?? []) {
          const time = `${st.elapsed_s}s${st.budget.stageTime !== undefined ? `/${st.budget.stageTime}s` : ''}`;
          line(
            io.stdout,
            `  stage ${st.stage}: ${st.status}${st.reason ? ` (${st.reason})` : ''}, ${trialLine(st.trials, st.budget.trials)}; ${time}`,
          );
        }
        line(
          io.stdout,
          `  ${r.stages ? 'in all, ' : ''}${trialLine(r.trials, r.stages ? undefined : r.budget.trials)}; ${r.elapsed_s}s`,
        );
        if (r.best) line(io.stdout, `  best: trial ${r.best.number} ${r.best.key} ${JSON.stringify(r.best.metrics)}`);
      }
    }
    return 0;
  } finally {
    store.close();
  }
}

function stageRows(store: Store, runId: number, wf: WorkflowConfig) {
  const started = new Map(store.stages(runId).map((row) => [row.stage, row]));
  return (wf.stages ?? []).map((st) => {
    const row = started.get(st.name);
    return {
      stage: st.name,
      status: row?.status ?? 'pending',
      reason: row?.reason ?? null,
      budget: st.budget,
      trials: store.trialCounts(runId, st.name),
      elapsed_s: Math.round((row?.elapsedMs ?? 0) / 100) / 10,
    };
  });
}

function trialLine(c: Record<TrialState, number>, budget: number | undefined): string {
  const done = c.complete + c.pruned + c.failed;
  return `${done}${budget ? `/${budget}` : ''} trials: ${c.complete} complete, ${c.pruned} pruned, ${c.failed} failed, ${c.running} interrupted`;
}

export function bestCommand(
  target: string | undefined,
  flags: { store?: string; top?: number; json?: boolean },
  io: Io,
): number {
  const top = flags.top ?? 1;
  if (!Number.isInteger(top) || top < 1) throw new UsageError(`--top must be a positive integer, got ${flags.top}`);
  const store = Store.open(locateStore(flags.store));
  try {
    const run = target ? pickRun(store, target) : store.latestRun();
    if (!run) throw new UsageError('no run in this store');
    const front = flags.top === undefined ? paretoTrials(store, run) : undefined;
    const best = front ?? bestTrials(store, run, top);
    // held-out test figures (dataset.split.test), beside the validation ones
    const tested = store.testResults(run.id, finalStage(run.config as unknown as WorkflowConfig).stage);
    if (front && !flags.json) line(io.stdout, `Pareto front of run ${run.id} (${front.length} trials):`);
    if (flags.json)
      line(
        io.stdout,
        JSON.stringify(
          best.map((t) => ({
            number: t.number,
            key: t.key,
            arch: t.arch,
            metrics: t.metrics,
            ...(tested.has(t.number) ? { test: tested.get(t.number) } : {}),
          })),
        ),
      );
    else {
      best.forEach((t, i) => {
        const test = tested.get(t.number);
        line(
          io.stdout,
          `${i + 1}. trial ${t.number} ${t.key} ${JSON.stringify(t.metrics)}${test ? ` test ${JSON.stringify(test)}` : ''}`,
        );
      });
      if (best.length === 0) line(io.stdout, `run ${run.id} has no complete trial yet`);
    }
    return 0;
  } finally {
    store.close();
  }
}

/** The best complete trials of a run's final stage (Pareto rank first for several objectives). */
export function bestTrials(store: Store, run: RunRow, k: number): TrialRecord[] {
  const final = finalStage(run.config as unknown as WorkflowConfig);
  return rankedTrials(store, run.id, final.stage, final.objectives).slice(0, k);
}

/** Multi-objective runs: the Pareto front of the final stage; undefined for one objective. */
export function paretoTrials(store: Store, run: RunRow): TrialRecord[] | undefined {
  const final = finalStage(run.config as unknown as WorkflowConfig);
  return final.objectives.length > 1 ? paretoFront(store.trials(run.id, final.stage), final.objectives) : undefined;
}

function pickRun(store: Store, target: string): RunRow {
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
