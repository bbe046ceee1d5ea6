// nas explain [RUN] [--store PATH] [--stage NAME] [--json]: which decisions explain the objective
// (fANOVA on an additive model plus a random forest), each choice's marginal effect, and the best trial's decisions that matter.

import { Store } from '../store/store.js';
import { explainRun, ExplainError, type Explanation } from '../report/importance/explain.js';
import { line, UsageError, type Io } from './io.js';
import { locateStore } from './locate-store.js';
import { pickRun } from './runs.js';
import { sig, table } from '../report/format.js';

export function explainCommand(
  target: string | undefined,
  flags: { store?: string; json?: boolean; stage?: string },
  io: Io,
): number {
  const store = Store.open(locateStore(flags.store));
  try {
    const run = target ? pickRun(store, target) : store.latestRun();
    if (!run) throw new UsageError(`no run in ${store.path}`);
    let e: Explanation;
    try {
      e = explainRun(store, run, { ...(flags.stage !== undefined ? { stage: flags.stage } : {}) });
    } catch (err) {
      if (err instanceof ExplainError) throw new UsageError(err.message);
      throw err;
    }
    if (flags.json) line(io.stdout, JSON.stringify(e));
    else for (const l of explanationText(e)) line(io.stdout, l);
    return 0;
  } finally {
    store.close();
  }
}

const pct = (v: number) => `${sig(v * 100, 3)}%`;
const pm = (m: number, s: number) => `${sig(m)} ± ${sig(s, 2)}`;

/** The explanation as aligned text. */
export function explanationText(e: Explanation): string[] {
  const out: string[] = [];
  const stage = e.stage ? ` stage ${e.stage}` : '';
  out.push(
    `Why this architecture? run ${e.run} ${e.name}${stage}: ${e.metric} (${e.mode}), ${e.trials} complete trials`,
  );
  out.push(
    `fANOVA on an additive model plus a random forest (${e.trees} trees, out-of-bag R² ${e.oob_r2 === null ? '-' : sig(e.oob_r2, 3)}); ` +
      `single decisions explain ${pct(e.main_effects_total)} of the predicted variance, interactions the rest`,
  );
  if (e.oob_r2 === null || e.oob_r2 < 0.2)
    out.push(
      `note: the forest predicts trials it did not see poorly (R² ${e.oob_r2 === null ? '-' : sig(e.oob_r2, 2)}); read this as a hint, more trials make it reliable`,
    );
  out.push('');
  const better = (a: number, b: number) => (e.mode === 'max' ? a > b : a < b);
  const rows = e.decisions.map((d) => {
    const ranked = [...d.choices].sort((a, b) => (better(a.marginal.mean, b.marginal.mean) ? -1 : 1));
    const top = ranked[0];
    const bottom = ranked[ranked.length - 1];
    return [
      d.name,
      `${pct(d.importance.mean)} ± ${pct(d.importance.std)}`,
      `${top.value} ${sig(top.marginal.mean)}`,
      `${bottom.value} ${sig(bottom.marginal.mean)}`,
    ];
  });
  out.push(...table(['decision', 'importance', 'best choice', 'worst choice'], rows));
  out.push('');
  out.push(`Marginal effects (predicted ${e.metric}, ± sd over trees; trials with the choice, their observed mean):`);
  const marg: string[][] = [];
  for (const d of e.decisions)
    d.choices.forEach((c, i) =>
      marg.push([
        i === 0 ? d.name : '',
        c.value,
        pm(c.marginal.mean, c.marginal.std),
        String(c.trials),
        c.observed === null ? '-' : sig(c.observed),
      ]),
    );
  out.push(
    ...table(['decision', 'choice', e.metric, 'trials', 'observed'], marg, ['left', 'left', 'right', 'right', 'right']),
  );
  if (e.best) {
    out.push('');
    out.push(
      `Best trial #${e.best.number} (${e.metric} ${sig(e.best.metric)}, predicted ${sig(e.best.predicted)}): ` +
        `its decisions, by how much ${e.metric} is predicted to get worse with another choice`,
    );
    const rowsB = e.best.decisions.map((d) => {
      const shown = d.confirmed.slice(0, 3).map((c) => `#${c.number} ${c.value} ${sig(c.metric)}`);
      const more = d.confirmed.length > 3 ? ` +${d.confirmed.length - 3}` : '';
      return [
        d.name,
        d.value,
        pm(d.effect.mean, d.effect.std),
        d.worst ? `${d.worst.value} ${sig(-d.worst.loss)}` : '-',
        d.confirmed.length ? `${shown.join(', ')}${more}` : 'none differ in just this',
      ];
    });
    out.push(
      ...table(['decision', 'choice', 'loss if changed', 'worst alternative', 'trials differing only here'], rowsB, [
        'left',
        'left',
        'right',
        'left',
        'left',
      ]),
    );
  }
  return out;
}
