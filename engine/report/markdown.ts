// The Markdown summary of a run: what a pull request or a lab notebook wants to paste.

import type { ReportData } from './data.js';
import { fmtNum } from './svg.js';
import { rankingText, rankingsOf } from '../core/ranking.js';

const label = (s: { name: string } | { stage: string }) => ('name' in s ? s.name : s.stage) || 'search';
const cell = (s: string) => s.replace(/\|/g, '\\|');

export function renderMarkdown(d: ReportData): string {
  const out: string[] = [];
  out.push(`# NAS report: ${d.run.name} (run ${d.run.id})`, '');
  out.push(`- workflow: \`${d.run.workflowFile}\``);
  out.push(`- status: **${d.run.status}**${d.run.reason ? ` (${d.run.reason})` : ''}`);
  out.push(`- trials: ${d.timeline.length}; searching time: ${fmtNum(d.run.elapsedMs / 1000)} s`);
  if (d.rejected.length) out.push(`- rejected by constraints before evaluation: ${d.rejected.length}`);
  for (const q of rankingsOf(d.run.info)) out.push(`- ${rankingText(q)}`);
  out.push('');
  const b = d.best;
  out.push('## Best', '');
  if (b) {
    out.push(
      `Trial #${b.number}${d.final.name ? ` of stage \`${d.final.name}\`` : ''}: **${d.final.objective.metric} = ${fmtNum(b.metrics[d.final.objective.metric])}**`,
      '',
    );
    out.push(`- key: \`${b.key}\``);
    out.push(
      `- metrics: ${Object.entries(b.metrics)
        .map(([k, v]) => `${k}=${fmtNum(v)}`)
        .join(', ')}`,
    );
    if (d.lineage.length > 1) out.push(`- lineage: ${d.lineage.map((l) => `${label(l)} #${l.number}`).join(' ← ')}`);
  } else out.push('No complete trial yet.');
  if (d.tested.length) {
    // the metrics the test split has, validation first: how well the choice generalises
    const names = Object.keys(d.tested[0].test);
    out.push(
      '',
      '## Held-out test split',
      '',
      `| trial | ${names.map((n) => `${n} (validation / test)`).join(' | ')} |`,
    );
    out.push(`|---|${names.map(() => '---').join('|')}|`);
    for (const t of d.tested) {
      out.push(
        `| #${t.number} | ${names.map((n) => `${fmtNum(t.validation[n])} / ${fmtNum(t.test[n])}`).join(' | ')} |`,
      );
    }
  }
  out.push(
    '',
    '## Stages',
    '',
    '| stage | strategy | evaluation | objective | from | complete | best |',
    '|---|---|---|---|---|---|---|',
  );
  for (const s of d.stages) {
    const best = s.ranked[0];
    out.push(
      `| ${label(s)} | ${s.strategy} | ${s.evaluation} | ${s.objectives.map((o) => `${o.metric} (${o.mode})`).join(', ')} | ${s.from ? `top ${s.from.top} of ${s.from.stage}` : ''} | ${s.trials.filter((t) => t.state === 'complete').length}/${s.trials.length} | ${best ? `#${best.number} ${s.objective.metric}=${fmtNum(best.metrics[s.objective.metric])}` : ''} |`,
    );
  }
  if (d.front) {
    out.push('', `## Pareto front (${d.front.length})`, '', '| trial | key | metrics |', '|---|---|---|');
    for (const t of d.front)
      out.push(
        `| #${t.number} | \`${cell(t.key)}\` | ${Object.entries(t.metrics)
          .map(([k, v]) => `${k}=${fmtNum(v)}`)
          .join(', ')} |`,
      );
  }
  if (d.ops.length) {
    out.push('', '## Operations among the best', '', '| operation | best | all |', '|---|---|---|');
    for (const o of d.ops.slice(0, 12))
      out.push(`| ${cell(o.op)} | ${Math.round(o.best * 100)}% | ${Math.round(o.all * 100)}% |`);
  }
  if (d.importance) {
    const e = d.importance;
    out.push(
      '',
      '## Decision importance',
      '',
      `fANOVA on an additive model plus a random forest over ${e.trials} complete trials (out-of-bag R² ${e.oob_r2 === null ? '-' : fmtNum(e.oob_r2)}): the share of ${e.metric}'s variance each decision explains alone.`,
      '',
      '| decision | importance | best choice | worst choice |',
      '|---|---|---|---|',
    );
    for (const x of e.decisions.slice(0, 16)) {
      const sorted = [...x.choices].sort((a, b) => (e.mode === 'max' ? 1 : -1) * (b.marginal.mean - a.marginal.mean));
      const top = sorted[0];
      const low = sorted[sorted.length - 1];
      out.push(
        `| ${cell(x.name)} | ${fmtNum(x.importance.mean * 100)}% ± ${fmtNum(x.importance.std * 100)} | ${cell(top.value)} ${fmtNum(top.marginal.mean)} | ${cell(low.value)} ${fmtNum(low.marginal.mean)} |`,
      );
    }
  }
  out.push('');
  return out.join('\n');
}
