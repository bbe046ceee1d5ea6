// Starting and resuming runs: a workflow + a store -> a finished (or stopped) run.

import { FatalError } from '../errors.js';
import type { Metrics, Arch, JsonObject } from '../types.js';
import type { Store, RunRow } from '../store/store.js';
import type { WorkflowConfig } from '../workflow/types.js';
import { resumeIncompatibilities } from './compatibility.js';
import { makeEvaluator, makeSpace, makeStrategy } from './components.js';
import { runSearch, type SearchEvent, type SearchOutcome } from './loop.js';
import { prepareMeta } from '../meta/index.js';
import { makePruner } from './pruners.js';

export interface RunOptions {
  signal?: AbortSignal;
  onEvent?: (e: SearchEvent) => void;
}

export interface RunSummary {
  run: number;
  status: SearchOutcome['status'];
  reason: string;
  trials: number;
  best: { number: number; arch: Arch; key: string; metrics: Metrics } | null;
}

export async function startRun(store: Store, wf: WorkflowConfig, opts: RunOptions = {}): Promise<RunSummary> {
  const runId = store.createRun({
    name: wf.name,
    workflowFile: wf.source.file,
    workflowText: wf.source.text,
    workflowHash: wf.source.hash,
    config: wf as unknown as JsonObject,
  });
  return execute(store, runId, wf, opts);
}

/**
 * Continues run `runId`. `edited` is the workflow file as it is now, when it differs from the stored
 * one: accepted only if nothing but the budget changed, and the budget only grew.
 */
export async function resumeRun(store: Store, runId: number, edited: WorkflowConfig | undefined, opts: RunOptions = {}): Promise<RunSummary> {
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
    wf = edited;
  } else if (edited) {
    wf = { ...wf, parallel: edited.parallel };
  }
  store.setRunStatus(runId, 'running', null);
  return execute(store, runId, wf, opts);
}

async function execute(store: Store, runId: number, wf: WorkflowConfig, opts: RunOptions): Promise<RunSummary> {
  let outcome: SearchOutcome;
  try {
    const space = makeSpace(wf);
    const meta = prepareMeta(wf, space); // meta-learning: priors, warm start, screening (no-op without `meta`)
    const strategy = meta.wrap(makeStrategy(wf, meta.space, meta.warmStart));
    const pruner = makePruner(wf.objective, wf.evaluation.early_stopping as Parameters<typeof makePruner>[1]);
    const evaluator = await makeEvaluator(wf, space, { id: runId, storePath: store.path });
    try {
      outcome = await runSearch({ store, runId, workflow: wf, space, strategy, evaluator, pruner, signal: opts.signal, onEvent: opts.onEvent });
    } finally {
      await evaluator.close();
    }
  } catch (e) {
    outcome = { status: 'failed', reason: (e as Error).message };
  }
  store.setRunStatus(runId, outcome.status, outcome.reason);
  return summarize(store, runId, outcome);
}

export function summarize(store: Store, runId: number, outcome: Pick<SearchOutcome, 'status' | 'reason' | 'best'>): RunSummary {
  const counts = store.trialCounts(runId);
  const b = outcome.best;
  return {
    run: runId,
    status: outcome.status,
    reason: outcome.reason,
    trials: counts.complete + counts.pruned + counts.failed,
    best: b ? { number: b.number, arch: b.arch, key: b.key, metrics: b.metrics } : null,
  };
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
