// Progress of a search: listr2 on a terminal, one plain line per finished trial otherwise.

import { Listr } from 'listr2';
import type { SearchEvent } from '../search/loop.js';
import type { TrialRecord } from '../core/types.js';
import type { Io } from './io.js';
import { duration, metricText, sig } from '../report/format.js';

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
    const live = new LiveStatus(budgetTrials, metric);
    return {
      onEvent: (e) => live.onEvent(e),
      async wrap(title, work) {
        let result: Awaited<ReturnType<typeof work>> | undefined;
        await new Listr(
          [
            {
              title,
              task: async (_ctx, task) => {
                const tick = setInterval(() => (task.output = live.text(Date.now())), 250);
                try {
                  result = await work();
                } finally {
                  clearInterval(tick);
                }
                task.title = `${title}: ${live.summary(Date.now(), true)}`;
              },
              // every line of the status: the bar, then one line per running trial
              rendererOptions: { outputBar: Infinity, persistentOutput: false },
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
  return v === undefined ? '?' : sig(v);
}

function fmt(m: Record<string, number>): string {
  return Object.entries(m)
    .map(([k, v]) => `${k}=${metricText(k, v)}`)
    .join(' ');
}

/**
 * What a terminal shows while a search runs: a bar of trials done out of the budget, elapsed time
 * and ETA (from the mean time per finished trial so far), the best so far, and one line per running
 * trial with its latest epoch. Kept apart from listr2 so it can be tested as text.
 */
export class LiveStatus {
  private readonly started = Date.now();
  private stageStarted = this.started;
  private finished = 0;
  /** Trials already done when this session's first trial finished (a resumed run): not in the rate. */
  private baseline?: number;
  private best?: TrialRecord;
  private stage = '';
  private readonly running = new Map<number, { step?: number; metrics?: Record<string, number> }>();

  constructor(
    private budget: number | undefined,
    private metric: string,
  ) {}

  onEvent(e: SearchEvent, now = Date.now()): void {
    if (e.type === 'trial-started') this.running.set(e.trial.number, {});
    else if (e.type === 'trial-progress') this.running.set(e.number, { step: e.step, metrics: e.metrics });
    else if (e.type === 'trial-finished') {
      this.running.delete(e.trial.number);
      this.baseline ??= e.finished - 1;
      this.finished = e.finished;
      this.best = e.best;
    } else if (e.type === 'stage-started') {
      this.metric = e.metric;
      this.budget = e.budgetTrials;
      this.stage = `stage ${e.stage} (${e.position + 1}/${e.stages}) `;
      this.finished = 0;
      this.baseline = undefined;
      this.best = undefined;
      this.running.clear();
      this.stageStarted = now;
    }
  }

  /** One line: done/budget, elapsed, ETA, best. */
  summary(now: number, final = false): string {
    const elapsed = (now - this.stageStarted) / 1000;
    const doneHere = this.finished - (this.baseline ?? 0);
    const eta =
      this.budget && doneHere > 0 ? duration((elapsed / doneHere) * Math.max(0, this.budget - this.finished)) : '-';
    const best = this.best
      ? `best ${this.metric}=${metricText(this.metric, this.best.metrics[this.metric])} (#${this.best.number})`
      : 'no best yet';
    const done = `${this.finished}${this.budget ? `/${this.budget}` : ''} trials`;
    const eta_ = final ? '' : `, ETA ${eta}`;
    return `${this.stage}${done}, elapsed ${duration((now - this.started) / 1000)}${eta_}, ${best}`;
  }

  text(now: number): string {
    const width = 24;
    const filled = this.budget ? Math.min(width, Math.round((width * this.finished) / this.budget)) : 0;
    const bar = this.budget ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` : '';
    const lines = [`${bar}${this.summary(now)}`];
    for (const [number, r] of [...this.running].sort((a, b) => a[0] - b[0])) {
      lines.push(
        r.step === undefined
          ? `  trial #${number}: starting`
          : `  trial #${number}: epoch ${r.step}${r.metrics ? ` ${fmt(r.metrics)}` : ''}`,
      );
    }
    return lines.join('\n');
  }
}
