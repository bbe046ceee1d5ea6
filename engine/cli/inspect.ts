// nas status [--store PATH] [RUN] and nas best [--store PATH] [--top K] [--json] [RUN]

import { Store, type RunRow } from '../store/store.js';
import { rankingText, rankingsOf } from '../core/ranking.js';
import type { TrialRecord, TrialState } from '../core/types.js';
import { rankedTrials } from '../search/stages.js';
import { finalStage } from '../core/stages.js';
import { paretoFront } from '../core/pareto.js';
import type { WorkflowConfig } from '../core/workflow.js';
import { line, UsageError, type Io } from './io.js';
import { locateStore } from './locate-store.js';
import { inputLines, inputsJson } from './inputs-view.js';
import { archSummary, duration, metricColumns, metricText, table } from '../report/format.js';

export function statusCommand(target: string | undefined, flags: { store?: string; json?: boolean }, io: Io): number {
  const store = Store.open(locateStore(flags.store), 'read');
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
        inputs: inputsJson(store, r.id),
        ...(rankingsOf(r.info).length ? { ranking: rankingsOf(r.info) } : {}),
      };
    });
    if (flags.json) line(io.stdout, JSON.stringify(rows));
    else if (rows.length === 0) line(io.stdout, 'no runs in this store');
    else {
      for (const l of statusTable(rows, store)) line(io.stdout, l);
      // what each run depends on (issue #15): under the table, run by run
      for (const r of rows) {
        const inputs = inputLines(store, r.run);
        const ranking = r.ranking ?? [];
        if (inputs.length === 0 && ranking.length === 0) continue;
        line(io.stdout, `run ${r.run}:`);
        for (const q of ranking) line(io.stdout, `  ${rankingText(q)}`);
        for (const l of inputs) line(io.stdout, l);
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

type StatusRow = {
  run: number;
  name: string;
  status: string;
  reason: string | null;
  budget: WorkflowConfig['budget'];
  trials: Record<TrialState, number>;
  elapsed_s: number;
  stages?: ReturnType<typeof stageRows>;
  best: { number: number; key: string; metrics: Record<string, number> } | null;
};

/** One line per run (and per stage of a staged run, indented under it), aligned. */
function statusTable(rows: StatusRow[], store: Store): string[] {
  const cells: string[][] = [];
  const counts = (c: Record<TrialState, number>, budget: number | undefined) => [
    `${c.complete + c.pruned + c.failed}${budget ? `/${budget}` : ''}`,
    String(c.complete),
    String(c.pruned),
    String(c.failed),
    String(c.running),
  ];
  for (const r of rows) {
    const run = store.getRun(r.run);
    const metric = run ? finalStage(run.config as unknown as WorkflowConfig).objectives[0].metric : '';
    const best = r.best;
    cells.push([
      String(r.run),
      r.name,
      r.reason ? `${r.status} (${r.reason})` : r.status,
      // a staged run's trial budgets are its stages'; the workflow's own applies to none of them
      ...counts(r.trials, r.stages ? undefined : r.budget.trials),
      duration(r.elapsed_s),
      best ? `${metric}=${metricText(metric, best.metrics[metric])}` : '-',
      best ? String(best.number) : '-',
      best && run ? archSummary(bestTrials(store, run, 1)[0]?.arch ?? null, 40) : '-',
    ]);
    for (const st of r.stages ?? []) {
      const time = `${duration(st.elapsed_s)}${st.budget.stageTime !== undefined ? `/${duration(st.budget.stageTime)}` : ''}`;
      cells.push([
        '',
        `  stage ${st.stage}`,
        st.reason ? `${st.status} (${st.reason})` : st.status,
        ...counts(st.trials, st.budget.trials),
        time,
        '',
        '',
        '',
      ]);
    }
  }
  return table(
    ['run', 'name', 'status', 'trials', 'complete', 'pruned', 'failed', 'running', 'time', 'best', 'trial', 'arch'],
    cells,
    ['right', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'left', 'right', 'left'],
  );
}

export function bestCommand(
  target: string | undefined,
  flags: { store?: string; top?: number; json?: boolean },
  io: Io,
): number {
  const top = flags.top ?? 1;
  if (!Number.isInteger(top) || top < 1) throw new UsageError(`--top must be a positive integer, got ${flags.top}`);
  const store = Store.open(locateStore(flags.store), 'read');
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
    else if (best.length === 0) line(io.stdout, `run ${run.id} has no complete trial yet`);
    else {
      const objectives = finalStage(run.config as unknown as WorkflowConfig).objectives.map((o) => o.metric);
      const metrics = metricColumns(
        best.map((t) => t.metrics),
        objectives,
      );
      // a held-out test split: the top trials' test figures beside their validation ones
      const testMetrics = metricColumns(
        best.map((t) => tested.get(t.number) ?? {}),
        objectives,
      ).filter((m) => best.some((t) => tested.get(t.number)?.[m] !== undefined));
      const rows = best.map((t, i) => [
        String(i + 1),
        String(t.number),
        ...metrics.map((m) => metricText(m, t.metrics[m])),
        ...testMetrics.map((m) => metricText(m, tested.get(t.number)?.[m])),
        archSummary(t.arch),
      ]);
      const head = ['rank', 'trial', ...metrics, ...testMetrics.map((m) => `test ${m}`), 'arch'];
      for (const l of table(head, rows)) line(io.stdout, l);
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
