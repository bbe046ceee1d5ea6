// Multi-stage runs. The stages run in order, each a search of its own in the same run (trials and
// checkpoints keyed by stage name), with the workflow's sections overridden by the stage's. A stage
// `from: { stage, top }` starts with the `top` best complete trials of that earlier stage, re-evaluated
// under its own evaluation; each such trial records where it came from (info.from), so the lineage of
// any trial can be followed back to the first stage. The `stages` table records which stages are done,
// so `nas resume` skips them and continues the one that was interrupted.

import type { Store } from '../store/store.js';
import type { Objective, StopCause, TrialRecord, JsonObject } from '../core/types.js';
import type { StageConfig, WorkflowConfig } from '../core/workflow.js';
import { objectivesOf, stageWorkflow } from '../core/stages.js';
import { makeSpace } from './components.js';
import type { SearchOutcome } from './loop.js';
import { isSupernetTrial } from '../core/trial.js';
import { rankTrials } from '../core/pareto.js';
import type { Seed } from '../../strategies/wrappers/seeded.js';
import { searchOnce, type SearchOptions } from './search-once.js';

/** Complete candidate trials of a stage, best first (Pareto rank for several objectives). */
export function rankedTrials(store: Store, runId: number, stage: string, objectives: Objective[]): TrialRecord[] {
  return rankTrials(
    store.trials(runId, stage).filter((t) => !isSupernetTrial(t)),
    objectives,
  );
}

/** The seeds of a stage `from` an earlier one: its best complete trials that are valid in this stage's space. */
export function seedsFor(store: Store, runId: number, wf: WorkflowConfig, st: StageConfig): Seed[] {
  if (!st.from) return [];
  const src = wf.stages?.find((s) => s.name === st.from!.stage);
  if (!src) return [];
  const space = makeSpace(stageWorkflow(wf, st));
  const seeds: Seed[] = [];
  for (const t of rankedTrials(store, runId, src.name, objectivesOf(stageWorkflow(wf, src)))) {
    if (seeds.length >= st.from.top) break;
    let arch;
    try {
      arch = space.validate(t.arch);
    } catch {
      continue; // not an architecture of this stage's space
    }
    seeds.push({
      arch,
      key: space.key(arch),
      from: { stage: src.name, trial: t.number, key: t.key, metrics: t.metrics as JsonObject },
    });
  }
  return seeds;
}

export async function runStages(
  store: Store,
  runId: number,
  wf: WorkflowConfig,
  opts: SearchOptions,
): Promise<SearchOutcome> {
  const stages = wf.stages ?? [];
  const done = new Map(store.stages(runId).map((r) => [r.stage, r]));
  let best: TrialRecord | undefined;
  let cause: StopCause = 'strategy-done'; // why the last stage ended
  for (const [i, st] of stages.entries()) {
    const sw = stageWorkflow(wf, st);
    const row = done.get(st.name);
    // A finished stage is not run again, unless it is the last one started and the budget that
    // ended it (trials or its own time) grew.
    const laterStarted = [...done.values()].some((r) => r.position > i);
    const grew =
      row !== undefined &&
      ((row.ended === 'trial-budget' &&
        sw.budget.trials !== undefined &&
        store.trials(runId, st.name).length < sw.budget.trials) ||
        (row.ended === 'stage-time' &&
          sw.budget.stageTime !== undefined &&
          row.elapsedMs < sw.budget.stageTime * 1000));
    if (row?.status === 'complete' && (laterStarted || !grew)) {
      best = rankedTrials(store, runId, st.name, [sw.objective])[0] ?? best;
      cause = row.ended ?? cause;
      continue;
    }
    opts.onEvent?.({
      type: 'stage-started',
      stage: st.name,
      position: i,
      stages: stages.length,
      metric: sw.objective.metric,
      ...(sw.budget.trials !== undefined ? { budgetTrials: sw.budget.trials } : {}),
    });
    store.setStageStatus(runId, st.name, i, 'running', null);
    const seeds = st.from ? seedsFor(store, runId, wf, st) : undefined;
    const out = await searchOnce(store, runId, sw, st.name, opts, seeds);
    // the run's time budget stops the run inside this stage: the stage is re-entered on resume
    const timeUp = out.cause === 'time-budget';
    store.setStageStatus(runId, st.name, i, timeUp ? 'stopped' : out.status, out.reason, out.cause);
    best = out.best ?? best;
    cause = out.cause;
    if (out.status !== 'complete' || timeUp) {
      return {
        status: out.status,
        cause: out.cause,
        reason: `stage ${st.name} (${i + 1}/${stages.length}): ${out.reason}`,
        ...(best ? { best } : {}),
      };
    }
  }
  return {
    status: 'complete',
    cause,
    reason: `${stages.length} stages done`,
    ...(best ? { best } : {}),
  };
}
