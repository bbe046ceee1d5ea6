// nas reproduce [--store PATH] [RUN] [--out NEW_STORE] [--first N]: reruns a stored run from what the
// store recorded (its resolved workflow), into a new store, and compares the two trial by trial.
// Exit 0: identical (keys, states, every metric exactly, backends). Exit 1: an input or the environment
// differs from what was recorded (nothing is rerun), or the first differing trial.

import { resolve } from 'node:path';
import { FatalError } from '../core/errors.js';
import { Store } from '../store/store.js';
import { startRun } from '../search/run.js';
import { collectInputs, inputChanges } from '../search/inputs.js';
import { compareRuns, rerunWorkflow, stageNames } from '../search/reproduce.js';
import { scheduleOf } from '../search/schedule.js';
import { createProgress } from './progress.js';
import { line, UsageError, type Io } from './io.js';
import { locateStore } from './locate-store.js';
import { pickRun } from './runs.js';
import { interruptSignal } from './interrupt.js';
import { withVerbose } from './verbose.js';

export interface ReproduceFlags {
  store?: string;
  out?: string;
  first?: number;
  json?: boolean;
  verbose?: boolean;
}

export async function reproduceCommand(target: string | undefined, flags: ReproduceFlags, io: Io): Promise<number> {
  const storePath = locateStore(flags.store);
  const outPath = resolve(flags.out ?? storePath.replace(/(\.sqlite)?$/, '.reproduce.sqlite'));
  if (outPath === storePath) throw new UsageError('--out must name another store than --store');
  const store = Store.open(storePath);
  try {
    const run = target ? pickRun(store, target) : store.latestRun();
    if (!run) throw new UsageError(`no run in ${storePath}`);
    const recorded = store.inputs(run.id);
    if (recorded.length === 0)
      throw new FatalError(
        `run ${run.id} was stored before nas recorded a run's inputs (store schema 3); start it again with nas run to reproduce it later`,
      );
    const wf = rerunWorkflow(store, run, flags.first);
    const changes = inputChanges(recorded, collectInputs(wf));
    if (changes.length > 0) {
      io.stderr.write(
        `nas reproduce: run ${run.id} depends on inputs that differ now; not rerun:\n${changes.map((c) => `  ${c}\n`).join('')}`,
      );
      if (flags.json) line(io.stdout, JSON.stringify({ run: run.id, identical: false, inputs: changes }));
      return 1;
    }
    const out = Store.open(outPath);
    try {
      const stages = stageNames(wf);
      const budget = stages.length === 1 ? wf.budget.trials : undefined;
      const progress = createProgress(io, budget, wf.objective.metric);
      const { signal, dispose } = interruptSignal(io);
      let summary;
      try {
        summary = await progress.wrap(`nas reproduce run ${run.id} ${run.name} (into ${outPath})`, () =>
          startRun(out, wf, { signal, onEvent: withVerbose(flags.verbose, io, (e) => progress.onEvent(e)) }),
        );
      } finally {
        dispose();
      }
      if (summary.status === 'stopped') {
        io.stderr.write(`nas reproduce: interrupted (${summary.reason})\n`);
        return 130;
      }
      const cmp = compareRuns(store, run.id, out, summary.run, stages, flags.first);
      const where = (stage: string) => (stage ? ` of stage ${stage}` : '');
      if (flags.json)
        line(
          io.stdout,
          JSON.stringify({ run: run.id, rerun: summary.run, store: outPath, identical: !cmp.first, ...cmp }),
        );
      if (cmp.first) {
        const eager =
          scheduleOf(wf) === 'eager' ? ` (run ${run.id} used schedule: eager, which depends on timing)` : '';
        io.stderr.write(
          `nas reproduce: trial ${cmp.first.number}${where(cmp.first.stage)} differs from run ${run.id}${eager}:\n` +
            cmp.first.differences.map((d) => `  ${d}\n`).join('') +
            `  (${cmp.compared} trial(s) before it identical; the rerun is run ${summary.run} in ${outPath})\n`,
        );
        return 1;
      }
      if (!flags.json)
        line(
          io.stdout,
          `reproduced run ${run.id}: ${cmp.compared} trial(s) identical (keys, states, metrics, backends); the rerun is run ${summary.run} in ${outPath}`,
        );
      return 0;
    } finally {
      out.close();
    }
  } finally {
    store.close();
  }
}
