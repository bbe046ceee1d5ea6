// Everything a report shows about one run, gathered from the store: stages and their trials, the best
// trial and its lineage, the Pareto front, constraint rejections, operation frequencies among the best.

import type { RunRow, StageRow, Store } from '../store/store.js';
import type { Json, Metrics, Objective, TrialRecord } from '../core/types.js';
import type { WorkflowConfig } from '../core/workflow.js';
import { isSupernetTrial } from '../core/trial.js';
import { finalStage, objectivesOf, stageWorkflow } from '../core/stages.js';
import { paretoFront, rankTrials } from '../core/pareto.js';
import { lineageEdges, lineageOf, type LineageStep } from '../search/lineage.js';
import { explainRun, ExplainError, type Explanation } from './importance/explain.js';

export interface StageData {
  name: string; // '' for a single-stage run
  objective: Objective;
  objectives: Objective[];
  trials: TrialRecord[];
  ranked: TrialRecord[];
  row?: StageRow;
  from?: { stage: string; top: number };
  strategy: string;
  evaluation: string;
}

export interface ReportData {
  run: RunRow;
  workflow: WorkflowConfig;
  stages: StageData[];
  final: StageData;
  best?: TrialRecord;
  lineage: LineageStep[];
  edges: ReturnType<typeof lineageEdges>;
  /** Multi-objective runs: the final stage's Pareto front. */
  front?: TrialRecord[];
  rejected: ReturnType<Store['rejected']>;
  ops: { op: string; best: number; all: number }[];
  /** dataset.split.test: the final stage's top trials on the held-out rows, beside their validation metrics. */
  tested: { number: number; key: string; validation: Metrics; test: Metrics }[];
  /** Trials finished, all stages, in finishing order (for the progress plots). */
  timeline: { stage: string; trial: TrialRecord }[];
  /** Decision importance of the final stage (absent with fewer than 5 complete trials). */
  importance?: Explanation;
  generatedAt: number;
}

export function collectReport(store: Store, run: RunRow): ReportData {
  const wf = run.config as unknown as WorkflowConfig;
  const rows = new Map(store.stages(run.id).map((r) => [r.stage, r]));
  const configs = wf.stages?.length
    ? wf.stages.map((st) => ({ name: st.name, sw: stageWorkflow(wf, st), from: st.from }))
    : [{ name: '', sw: wf, from: undefined }];
  const stages: StageData[] = configs.map(({ name, sw, from }) => {
    const trials = store.trials(run.id, name).filter((t) => !isSupernetTrial(t));
    const objectives = objectivesOf(sw);
    return {
      name,
      objective: sw.objective,
      objectives,
      trials,
      ranked: rankTrials(trials, objectives),
      ...(rows.get(name) ? { row: rows.get(name) } : {}),
      ...(from ? { from } : {}),
      strategy: sw.strategy.type,
      evaluation: sw.evaluation.type,
    };
  });
  const fs = finalStage(wf);
  const final = stages.find((s) => s.name === fs.stage) ?? stages[stages.length - 1];
  const all = store.allTrials(run.id).filter((s) => !isSupernetTrial(s.trial));
  // the run's best: the final stage's, or the latest stage that has a complete trial
  const bestStage = final.ranked.length > 0 ? final : ([...stages].reverse().find((s) => s.ranked.length > 0) ?? final);
  const best = bestStage.ranked[0];
  const lineage = best ? lineageOf(all, bestStage.name, best.number) : [];
  const timeline = all
    .filter((s) => s.trial.state !== 'running')
    .sort((a, b) => (a.trial.finishedAt ?? 0) - (b.trial.finishedAt ?? 0));
  const testResults = store.testResults(run.id, final.name);
  const tested = final.ranked
    .filter((t) => testResults.has(t.number))
    .map((t) => ({ number: t.number, key: t.key, validation: t.metrics, test: testResults.get(t.number)! }));
  return {
    run,
    workflow: wf,
    stages,
    final,
    tested,
    ...(best ? { best } : {}),
    lineage,
    edges: lineageEdges(all),
    ...(final.objectives.length > 1 ? { front: paretoFront(final.trials, final.objectives) } : {}),
    rejected: store.rejected(run.id),
    ops: opFrequencies(
      all.map((s) => s.trial),
      bestStage.ranked.slice(0, Math.max(3, Math.ceil(bestStage.ranked.length * 0.2))),
    ),
    timeline,
    ...importanceOf(store, run),
    generatedAt: Date.now(),
  };
}

function importanceOf(store: Store, run: RunRow): { importance?: Explanation } {
  try {
    return { importance: explainRun(store, run) };
  } catch (e) {
    if (e instanceof ExplainError) return {};
    throw e;
  }
}

/** The operations of an architecture: a cell's edge ops, a chain's layer types (with their main size). */
export function opsOf(arch: Json): string[] {
  if (!arch || typeof arch !== 'object' || Array.isArray(arch)) return [];
  const a = arch as Record<string, Json>;
  if (Array.isArray(a.ops)) return a.ops.map(String);
  if (Array.isArray(a.layers)) {
    return a.layers.map((l) => {
      const layer = (l ?? {}) as Record<string, Json>;
      const size = layer.filters ?? layer.units ?? layer.rate ?? layer.size;
      return size === undefined ? String(layer.type) : `${String(layer.type)}(${String(size)})`;
    });
  }
  return [];
}

/** Share of architectures containing each op, among the best and among all distinct ones evaluated. */
export function opFrequencies(all: TrialRecord[], best: TrialRecord[]): { op: string; best: number; all: number }[] {
  const share = (trials: TrialRecord[]) => {
    const byKey = new Map(trials.map((t) => [t.key, t]));
    const counts = new Map<string, number>();
    for (const t of byKey.values()) for (const op of new Set(opsOf(t.arch))) counts.set(op, (counts.get(op) ?? 0) + 1);
    return { counts, n: Math.max(1, byKey.size) };
  };
  const a = share(all.filter((t) => t.state !== 'failed'));
  const b = share(best);
  return [...a.counts.keys()]
    .map((op) => ({ op, best: (b.counts.get(op) ?? 0) / b.n, all: (a.counts.get(op) ?? 0) / a.n }))
    .sort((x, y) => y.best - x.best || y.all - x.all || x.op.localeCompare(y.op));
}
