// nas report [--store PATH] [RUN] [--out DIR] [--json]: writes report.html (self-contained, plots
// inline) and report.md for a run (default: the latest) into DIR (default reports/<name>-run<id>).

import { resolve, join } from 'node:path';
import { Store } from '../store/store.js';
import { writeReport } from '../report/index.js';
import { line, UsageError, type Io } from './io.js';
import { locateStore } from './locate-store.js';
import { pickRun } from './runs.js';
import { claimOutputs, guard } from './output.js';

export function reportCommand(
  target: string | undefined,
  flags: { store?: string; out?: string; json?: boolean; force?: boolean },
  io: Io,
  cwd = process.cwd(),
): number {
  const store = Store.open(locateStore(flags.store, cwd), 'read');
  try {
    const run = target ? pickRun(store, target) : store.latestRun();
    if (!run) throw new UsageError(`no run in ${store.path}`);
    const dir = resolve(cwd, flags.out ?? join('reports', `${run.name}-run${run.id}`));
    claimOutputs([join(dir, 'report.html'), join(dir, 'report.md')], { force: flags.force, inputs: [store.path] });
    const r = guard(dir, () => writeReport(store, run, dir));
    if (flags.json)
      line(
        io.stdout,
        JSON.stringify({
          run: run.id,
          html: r.html,
          markdown: r.markdown,
          trials: r.data.timeline.length,
          best: r.data.best ? { number: r.data.best.number, key: r.data.best.key, metrics: r.data.best.metrics } : null,
        }),
      );
    else line(io.stdout, `report of run ${run.id} (${run.name}): ${r.html} and ${r.markdown}`);
    return 0;
  } finally {
    store.close();
  }
}
