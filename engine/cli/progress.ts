// Progress of a search: listr2 on a terminal, one plain line per finished trial otherwise.

import { Listr } from 'listr2';
import type { SearchEvent } from '../search/loop.js';
import type { TrialRecord } from '../core/types.js';
import type { Io } from './io.js';

export interface Progress {
  onEvent(e: SearchEvent): void;
  /** Runs `work` while showing progress. */
  wrap<T>(title: string, work: () => Promise<T>): Promise<T>;
}

export function createProgress(io: Io, budgetTrials: number | undefined, metric: string): Progress {
  let total = budgetTrials ? `/${budgetTrials}` : '';
  const describe = (t: TrialRecord) => {
    const v = t.metrics[metric];
    return t.state === 'failed' ? `failed: ${t.error}` : `${t.state} ${metric}=${v === undefined ? '?' : round(v)}`;
  };
  const bestText = (b?: TrialRecord) =>
    b ? `best ${metric}=${round(b.metrics[metric])} (#${b.number})` : 'no best yet';

  if (io.stderr.isTTY) {
    let status = 'starting';
    return {
      onEvent(e) {
        if (e.type === 'trial-finished')
          status = `${e.finished}${total} trials, ${bestText(e.best)}, last #${e.trial.number} ${describe(e.trial)}`;
        else if (e.type === 'trial-progress') status = `trial #${e.number} step ${e.step}: ${fmt(e.metrics)}`;
        else if (e.type === 'stage-started') {
          metric = e.metric;
          total = e.budgetTrials ? `/${e.budgetTrials}` : '';
          status = `stage ${e.stage} (${e.position + 1}/${e.stages})`;
        }
      },
      async wrap(title, work) {
        let result: Awaited<ReturnType<typeof work>> | undefined;
        await new Listr(
          [
            {
              title,
              task: async (_ctx, task) => {
                const tick = setInterval(() => (task.output = status), 200);
                try {
                  result = await work();
                } finally {
                  clearInterval(tick);
                }
                task.title = `${title}: ${status}`;
              },
              rendererOptions: { outputBar: 1 },
            },
          ],
          { rendererOptions: { collapseSubtasks: false }, exitOnError: true },
        ).run();
        return result as Awaited<ReturnType<typeof work>>;
      },
    };
  }
  return {
    onEvent(e) {
      if (e.type === 'trial-finished') {
        io.stderr.write(`trial ${e.trial.number} ${describe(e.trial)} [${e.finished}${total}] ${bestText(e.best)}\n`);
      } else if (e.type === 'stage-started') {
        metric = e.metric;
        total = e.budgetTrials ? `/${e.budgetTrials}` : '';
        io.stderr.write(`stage ${e.stage} (${e.position + 1}/${e.stages})\n`);
      } else if (e.type === 'trial-rejected') {
        io.stderr.write(`rejected ${e.key}: ${e.reason}\n`);
      } else if (e.type === 'trial-retry') {
        io.stderr.write(`trial ${e.number} attempt ${e.attempt} failed, retrying: ${e.error}\n`);
      }
    },
    async wrap(title, work) {
      io.stderr.write(`${title}\n`);
      return work();
    },
  };
}

function round(v: number | undefined): string {
  return v === undefined ? '?' : String(Math.round(v * 10000) / 10000);
}

function fmt(m: Record<string, number>): string {
  return Object.entries(m)
    .map(([k, v]) => `${k}=${round(v)}`)
    .join(' ');
}
