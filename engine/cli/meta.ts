// nas meta export SOURCE... [--out FILE] [--top K]   stores / knowledge files -> one knowledge file
// nas meta show SOURCE... [--json]                    what a knowledge source holds
// nas meta show WORKFLOW.yaml [--json]                what meta-learning would hand that workflow

import { resolve } from 'node:path';
import { exportKnowledge, loadKnowledge, prepareMeta, writeKnowledge, type TaskKnowledge } from '../meta/index.js';
import { loadWorkflow } from '../workflow/index.js';
import { makeSpace } from '../search/components.js';
import { line, UsageError, type Io } from './io.js';
import { claimOutputs, guard } from './output.js';

const USAGE =
  'usage: nas meta export SOURCE... [--out FILE] [--top K] | nas meta show SOURCE...|WORKFLOW.yaml [--json]';

export function metaCommand(
  args: string[],
  flags: { out?: string; top?: number; json?: boolean; force?: boolean },
  io: Io,
): number {
  const [sub, ...paths] = args;
  if (sub === 'export') {
    if (paths.length === 0) throw new UsageError(USAGE);
    // before reading anything: `--out` onto a source store once replaced it with JSON
    if (flags.out) claimOutputs([resolve(flags.out)], { force: flags.force, inputs: paths.map((p) => resolve(p)) });
    const k = exportKnowledge(
      paths.map((p) => resolve(p)),
      flags.top ? { top: flags.top } : {},
    );
    if (flags.out) {
      const out = resolve(flags.out);
      guard(out, () => writeKnowledge(out, k));
      line(
        io.stderr,
        `wrote ${k.tasks.length} task(s), ${k.tasks.reduce((s, t) => s + t.trials.length, 0)} trials to ${flags.out}`,
      );
    } else line(io.stdout, JSON.stringify(k));
    return 0;
  }
  if (sub === 'show') {
    if (paths.length === 0) throw new UsageError(USAGE);
    if (paths.length === 1 && /\.ya?ml$/i.test(paths[0])) {
      const wf = loadWorkflow(resolve(paths[0]));
      if (!wf.meta) throw new UsageError(`${paths[0]} has no meta: section`);
      const plan = prepareMeta(wf, makeSpace(wf));
      const out = { ...plan.summary, priors: plan.warmStart?.priors ?? {} };
      if (flags.json) line(io.stdout, JSON.stringify(out));
      else line(io.stdout, JSON.stringify(out, null, 2));
      return 0;
    }
    const tasks = loadKnowledge(paths.map((p) => resolve(p)));
    if (flags.json) line(io.stdout, JSON.stringify(tasks.map(brief)));
    else {
      if (tasks.length === 0) line(io.stdout, 'no runs with complete trials');
      for (const t of tasks) {
        const b = brief(t);
        line(
          io.stdout,
          `${b.id} ${b.name}: ${b.trials} complete trials of ${b.evaluated}; space ${b.space}; objective ${b.objective}`,
        );
        line(io.stdout, `  task: ${JSON.stringify(b.task)}`);
        for (const [i, x] of b.best.entries()) line(io.stdout, `  ${i + 1}. ${x.key} ${JSON.stringify(x.metrics)}`);
      }
    }
    return 0;
  }
  throw new UsageError(USAGE);
}

function brief(t: TaskKnowledge) {
  return {
    id: t.id,
    name: t.name,
    task: t.task,
    space:
      t.space.kind === 'cell'
        ? `cell (${Object.keys(t.decisions).length} decisions)`
        : `chain (${Object.keys(t.decisions).length} decisions)`,
    objective: `${t.objective.mode} ${t.objective.metric}`,
    trials: t.trials.length,
    evaluated: t.evaluated,
    best: t.trials.slice(0, 3).map((x) => ({ key: x.key, metrics: x.metrics })),
  };
}
