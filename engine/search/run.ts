// Starting and resuming runs: a workflow + a store -> a finished (or stopped) run.

import { FatalError, errorMessage } from '../core/errors.js';
import type { Metrics, Arch, JsonObject } from '../core/types.js';
import type { Store, RunRow } from '../store/store.js';
import type { WorkflowConfig } from '../core/workflow.js';
import { resumeIncompatibilities } from './compatibility.js';
import type { SearchEvent, SearchOutcome } from './loop.js';
import { searchOnce } from './search-once.js';
import { recordRanking } from './ranking.js';
import { runStages } from './stages.js';
import { finalStage } from '../core/stages.js';
import { paretoFront } from '../core/pareto.js';
import { collectInputs } from './inputs.js';
import { verdict } from './verdict.js';
import { testTopTrials } from './test-split.js';

export interface RunOptions {
  signal?: AbortSignal;
  onEvent?: (e: SearchEvent) => void;
}

export interface RunSummary {
  run: number;
  status: SearchOutcome['status'];
  reason: string;
  trials: number;
  /** Of `trials`, how many failed. */
  failed: number;
  /** `test`: the trial's metrics on the held-out test split (dataset.split.test), when it was evaluated there. */
  best: { number: number; arch: Arch; key: string; metrics: Metrics; stage?: string; test?: Metrics } | null;
  /** Multi-objective runs: the Pareto front of the final stage (complete trials). */
  pareto?: { number: number; key: string; metrics: Metrics; test?: Metrics }[];
}

export async function startRun(store: Store, wf: WorkflowConfig, opts: RunOptions = {}): Promise<RunSummary> {
  const runId = store.createRun({
    name: wf.name,
    workflowFile: wf.source.file,
    workflowText: wf.source.text,
    workflowHash: wf.source.hash,
    config: wf as unknown as JsonObject,
  });
  store.saveInputs(runId, collectInputs(wf));
  return execute(store, runId, wf, opts);
}

/**
 * Continues run `runId`. `edited` is the workflow file as it is now, when it differs from the stored
 * one: accepted only if nothing but the budget changed, and the budget only grew.
 */
export async function resumeRun(
  store: Store,
  runId: number,
  edited: WorkflowConfig | undefined,
  opts: RunOptions = {},
): Promise<RunSummary> {
  const run = store.getRun(runId);
  if (!run) throw new FatalError(`no run ${runId} in store ${store.path}`);
  assertNotRunningElsewhere(run);
  let wf = run.config as unknown as WorkflowConfig;
  if (edited && edited.source.hash !== run.workflowHash) {
    const problems = resumeIncompatibilities(wf, edited);
    if (problems.length > 0) {
      throw new FatalError(
        `${edited.source.file} changed since run ${runId} started, beyond growing its budget:\n  ${problems.join('\n  ')}\n` +
          'start a new run with `nas run` instead, or restore the file',
      );
    }
    store.updateRunWorkflow(runId, {
      workflowFile: edited.source.file,
      workflowText: edited.source.text,
      workflowHash: edited.source.hash,
      config: edited as unknown as JsonObject,
    });
    store.saveInputs(runId, collectInputs(edited));
    wf = edited;
  } else if (edited) {
    wf = { ...wf, parallel: edited.parallel };
  }
  // the ownership check and the claim are one write transaction (BEGIN IMMEDIATE): of two resumes
  // started at once, the second sees the first's pid
  store.immediate(() => {
    assertNotRunningElsewhere(store.getRun(runId) ?? run);
    store.setRunStatus(runId, 'running', null);
  });
  return execute(store, runId, wf, opts);
}

async function execute(store: Store, runId: number, wf: WorkflowConfig, opts: RunOptions): Promise<RunSummary> {
  let outcome: SearchOutcome;
  try {
    outcome = verdict(
      store,
      runId,
      wf.stages?.length ? await runStages(store, runId, wf, opts) : await searchOnce(store, runId, wf, '', opts),
    );
  } catch (e) {
    // a bug: the run is marked failed (nothing completed is lost; `nas resume` can continue it once
    // fixed) and the error goes on, stack and all, to the caller
    store.setRunStatus(runId, 'failed', `internal error: ${errorMessage(e)}`);
    throw e;
  }
  recordRanking(store, runId, wf);
  if (outcome.status === 'complete') {
    // the held-out test split, once, after the search (the pool is closed; nothing flows back into it)
    const t = await testTopTrials(store, runId, wf);
    if (t.skipped) outcome = { ...outcome, reason: `${outcome.reason}; test split not evaluated: ${t.skipped}` };
  }
  store.setRunStatus(runId, outcome.status, outcome.reason);
  return summarize(store, runId, outcome);
}

export function summarize(
  store: Store,
  runId: number,
  outcome: Pick<SearchOutcome, 'status' | 'reason' | 'best'>,
): RunSummary {
  const counts = store.trialCounts(runId);
  const b = outcome.best;
  const wf = store.getRun(runId)?.config as unknown as WorkflowConfig | undefined;
  const final = wf ? finalStage(wf) : undefined;
  const tested = final ? store.testResults(runId, final.stage) : new Map<number, Metrics>();
  const summary: RunSummary = {
    run: runId,
    status: outcome.status,
    reason: outcome.reason,
    trials: counts.complete + counts.pruned + counts.failed,
    failed: counts.failed,
    best: b
      ? {
          number: b.number,
          arch: b.arch,
          key: b.key,
          metrics: b.metrics,
          ...(final?.stage ? { stage: final.stage } : {}),
          ...(tested.has(b.number) ? { test: tested.get(b.number)! } : {}),
        }
      : null,
  };
  if (final && final.objectives.length > 1) {
    summary.pareto = paretoFront(store.trials(runId, final.stage), final.objectives).map((t) => ({
      number: t.number,
      key: t.key,
      metrics: t.metrics,
      ...(tested.has(t.number) ? { test: tested.get(t.number)! } : {}),
    }));
  }
  return summary;
}

function assertNotRunningElsewhere(run: RunRow): void {
  if (run.status !== 'running' || run.ownerPid === null || run.ownerPid === process.pid) return;
  try {
    process.kill(run.ownerPid, 0);
  } catch {
    return; // that process is gone (killed or crashed): the run can be resumed
  }
  throw new FatalError(`run ${run.id} is being run by process ${run.ownerPid}; stop it first (Ctrl-C) or wait for it`);
}
