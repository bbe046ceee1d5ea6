// nas run FILE [--store PATH] [--json]   and   nas resume [--store PATH] [RUN | FILE]

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadWorkflow } from '../workflow/index.js';
import { Store } from '../store/store.js';
import { resumeRun, startRun, type RunSummary } from '../search/run.js';
import type { WorkflowConfig } from '../core/workflow.js';
import { createProgress } from './progress.js';
import { line, UsageError, type Io } from './io.js';
import { defaultStorePath, locateStore } from './locate-store.js';
import { interruptSignal } from './interrupt.js';
import { withVerbose } from './verbose.js';
import { archSummary, metricText } from '../report/format.js';
import { parallelProblem } from '../workflow/limits.js';
import { executorUrl, probeRedis } from '../evaluation/remote/connection.js';

export interface RunFlags {
  store?: string;
  json?: boolean;
  parallel?: number;
  verbose?: boolean;
}

export async function runCommand(file: string | undefined, flags: RunFlags, io: Io): Promise<number> {
  if (!file) throw new UsageError('usage: nas run FILE [--store PATH] [--json]');
  const wf = withFlags(loadWorkflow(file), flags);
  await checkExecutor(wf);
  const storePath = flags.store ? resolve(flags.store) : defaultStorePath(wf.name);
  const store = Store.open(storePath);
  try {
    const progress = createProgress(io, wf.budget.trials, wf.objective.metric);
    const { signal, dispose } = interruptSignal(io);
    try {
      const summary = await progress.wrap(`nas run ${wf.name} (store ${storePath})`, () =>
        startRun(store, wf, { signal, onEvent: withVerbose(flags.verbose, io, (e) => progress.onEvent(e)) }),
      );
      return report(summary, flags, io, storePath);
    } finally {
      dispose();
    }
  } finally {
    store.close();
  }
}

export async function resumeCommand(target: string | undefined, flags: RunFlags, io: Io): Promise<number> {
  let edited: WorkflowConfig | undefined;
  let storePath: string;
  let runId: number | undefined;
  if (target && /\.ya?ml$/i.test(target)) {
    edited = withFlags(loadWorkflow(target), flags);
    storePath = flags.store ? resolve(flags.store) : defaultStorePath(edited.name);
    if (!existsSync(storePath))
      throw new UsageError(`no store ${storePath} for ${target}; start it with nas run ${target}`);
  } else {
    storePath = locateStore(flags.store);
    if (target !== undefined) {
      runId = Number(target);
      if (!Number.isInteger(runId) || runId < 1)
        throw new UsageError(`RUN must be a run id or a workflow file, got "${target}"`);
    }
  }
  const store = Store.open(storePath);
  try {
    const run = runId !== undefined ? store.getRun(runId) : store.latestRun();
    if (!run) throw new UsageError(runId !== undefined ? `no run ${runId} in ${storePath}` : `no run in ${storePath}`);
    // The workflow as it is now on disk, so a grown budget is picked up (paths stay as stored).
    if (!edited && existsSync(run.workflowFile)) edited = withFlags(loadWorkflow(run.workflowFile), flags);
    else if (edited && edited.name !== run.name)
      throw new UsageError(`${target} is workflow "${edited.name}", but run ${run.id} is "${run.name}"`);
    await checkExecutor(edited ?? (run.config as unknown as WorkflowConfig));
    const budget = (edited ?? (run.config as unknown as WorkflowConfig)).budget;
    const progress = createProgress(io, budget.trials, (run.config as unknown as WorkflowConfig).objective.metric);
    const { signal, dispose } = interruptSignal(io);
    try {
      const summary = await progress.wrap(`nas resume run ${run.id} ${run.name} (store ${storePath})`, () =>
        resumeRun(store, run.id, edited, {
          signal,
          onEvent: withVerbose(flags.verbose, io, (e) => progress.onEvent(e)),
        }),
      );
      return report(summary, flags, io, storePath);
    } finally {
      dispose();
    }
  } finally {
    store.close();
  }
}

/** An unreachable queue is one line before anything is written to the store, not a failed run. */
async function checkExecutor(wf: WorkflowConfig): Promise<void> {
  if (wf.executor?.type === 'redis') await probeRedis(executorUrl(wf.executor), `${wf.source.file}: executor`);
}

function withFlags(wf: WorkflowConfig, flags: RunFlags): WorkflowConfig {
  const tooMany = flags.parallel !== undefined ? parallelProblem(flags.parallel) : undefined;
  if (tooMany) throw new UsageError(`--${tooMany}`);
  return flags.parallel !== undefined ? { ...wf, parallel: flags.parallel } : wf;
}

function report(s: RunSummary, flags: RunFlags, io: Io, storePath: string): number {
  if (flags.json) {
    line(
      io.stdout,
      JSON.stringify({
        run: s.run,
        status: s.status,
        trials: s.trials,
        failed: s.failed,
        best: s.best && {
          arch: s.best.arch,
          key: s.best.key,
          metrics: s.best.metrics,
          ...(s.best.test ? { test: s.best.test } : {}),
        },
        reason: s.reason,
        store: storePath,
      }),
    );
  } else {
    line(
      io.stdout,
      `run ${s.run}: ${s.status} (${s.reason}), ${s.trials} trials${s.failed ? `, ${s.failed} failed` : ''}`,
    );
    if (s.best) {
      const metrics = Object.entries(s.best.metrics)
        .map(([k, v]) => `${k}=${metricText(k, v)}`)
        .join(' ');
      const test = s.best.test
        ? `  test ${Object.entries(s.best.test)
            .map(([k, v]) => `${k}=${metricText(k, v)}`)
            .join(' ')}`
        : '';
      line(io.stdout, `best: trial ${s.best.number}  ${metrics}${test}  ${archSummary(s.best.arch, 80)}`);
      line(io.stdout, '(full key and exact values: nas best --json)');
    }
    // only an interrupted run has something left that resume can do; a failed one needs its cause fixed first
    if (s.status === 'stopped') line(io.stdout, `continue with: nas resume --store ${storePath} ${s.run}`);
  }
  return s.status === 'complete' ? 0 : s.status === 'stopped' ? 130 : 1;
}
