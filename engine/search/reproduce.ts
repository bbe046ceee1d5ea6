// `nas reproduce`: the workflow a stored run is rerun with, and the trial-by-trial comparison of the
// two runs (key, state, every metric exactly, and the backend each trial ran on).

import type { BudgetConfig, WorkflowConfig } from '../core/workflow.js';
import type { RunRow, Store } from '../store/store.js';
import type { TrialRecord } from '../core/types.js';

/** Trials per stage ('' for an unstaged run) that the original run holds. */
function trialCounts(store: Store, runId: number, stages: string[]): Map<string, number> {
  return new Map(stages.map((st) => [st, store.trials(runId, st).length]));
}

export function stageNames(wf: WorkflowConfig): string[] {
  return wf.stages?.length ? wf.stages.map((s) => s.name) : [''];
}

/**
 * The stored config with budgets that rerun exactly the trials the original holds (at most `first` per
 * stage): trial budgets set to those counts, time budgets removed (time is not reproducible).
 */
export function rerunWorkflow(store: Store, run: RunRow, first?: number): WorkflowConfig {
  const wf = run.config as unknown as WorkflowConfig;
  const counts = trialCounts(store, run.id, stageNames(wf));
  const cap = (b: BudgetConfig, stage: string): BudgetConfig => {
    const { time: _t, stageTime: _s, ...rest } = b;
    const n = counts.get(stage) ?? 0;
    return { ...rest, trials: first !== undefined ? Math.min(first, n) : n };
  };
  if (!wf.stages?.length) return { ...wf, budget: cap(wf.budget, '') };
  return {
    ...wf,
    budget: (({ time: _t, ...rest }) => rest)(wf.budget),
    stages: wf.stages.map((st) => ({ ...st, budget: cap(st.budget, st.name) })),
  };
}

/** What differs between two records of the same trial number (empty: identical). */
export function trialDifferences(a: TrialRecord, b: TrialRecord): string[] {
  const out: string[] = [];
  if (a.key !== b.key) out.push(`key ${a.key} recorded, ${b.key} now`);
  if (a.state !== b.state) out.push(`state ${a.state} recorded, ${b.state} now`);
  for (const m of new Set([...Object.keys(a.metrics), ...Object.keys(b.metrics)])) {
    const x = a.metrics[m];
    const y = b.metrics[m];
    if (!Object.is(x, y)) out.push(`${m} ${x ?? 'absent'} recorded, ${y ?? 'absent'} now`);
  }
  const ba = a.info?.backend;
  const bb = b.info?.backend;
  if (ba !== undefined && ba !== bb) out.push(`backend ${String(ba)} recorded, ${String(bb ?? 'absent')} now`);
  return out;
}

export interface Comparison {
  /** Trials compared (final in the original run). */
  compared: number;
  /** The first differing trial, or null. */
  first: { stage: string; number: number; differences: string[] } | null;
}

/** Compares the original run with its rerun, stage by stage, trial by trial in number order. */
export function compareRuns(
  original: Store,
  originalRun: number,
  rerun: Store,
  rerunRun: number,
  stages: string[],
  first?: number,
): Comparison {
  let compared = 0;
  for (const stage of stages) {
    const a = original.trials(originalRun, stage).slice(0, first);
    const b = new Map(rerun.trials(rerunRun, stage).map((t) => [t.number, t]));
    for (const t of a) {
      if (t.state === 'running') continue; // interrupted in the original: nothing to compare
      const u = b.get(t.number);
      const differences = u ? trialDifferences(t, u) : ['missing from the rerun'];
      if (differences.length > 0) return { compared, first: { stage, number: t.number, differences } };
      compared++;
    }
  }
  return { compared, first: null };
}
