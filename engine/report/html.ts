// The HTML report: one self-contained file (inline CSS and SVG, no network), readable offline and
// attachable to an issue. Plots: best-so-far against trials and against time, the objective against
// parameters with the Pareto front, learning curves, operation frequencies among the best, and the
// lineage across stages.

import type { Objective, TrialRecord } from '../core/types.js';
import { dominates } from '../core/pareto.js';
import { rankingText, rankingsOf } from '../core/ranking.js';
import type { ReportData, StageData } from './data.js';
import { bars, chart, esc, fmtNum, PALETTE, type Series } from './svg.js';

const stageLabel = (s: { name: string } | { stage: string }) => ('name' in s ? s.name : s.stage) || 'search';
const better = (o: Objective, a: number, b: number) => (o.mode === 'max' ? a > b : a < b);

function bestSoFar(d: ReportData, metric: string, x: (i: number, t: TrialRecord) => number): Series[] {
  const out: Series[] = [];
  const stages = d.stages.filter((s) => s.objective.metric === metric);
  stages.forEach((s) => {
    let best: number | undefined;
    const points: Series['points'] = [];
    d.timeline.forEach((e, i) => {
      if (e.stage !== s.name || e.trial.state !== 'complete') return;
      const v = e.trial.metrics[metric];
      if (typeof v !== 'number' || !Number.isFinite(v)) return;
      if (best === undefined || better(s.objective, v, best)) best = v;
      points.push({
        x: x(i, e.trial),
        y: best,
        label: `${stageLabel(s)} #${e.trial.number}: best ${metric} ${fmtNum(best)}`,
      });
    });
    out.push({ name: stageLabel(s), color: PALETTE[d.stages.indexOf(s) % PALETTE.length], points, kind: 'step' });
  });
  return out;
}

function progressPlots(d: ReportData): string {
  const t0 = Math.min(...d.timeline.map((e) => e.trial.startedAt), d.run.createdAt);
  const metrics = [...new Set(d.stages.map((s) => s.objective.metric))];
  return metrics
    .map((metric) => {
      const a = chart({
        id: `best-vs-trials-${metric}`,
        title: `Best ${metric} so far, by trial`,
        xLabel: 'trials finished (all stages)',
        yLabel: metric,
        series: bestSoFar(d, metric, (i) => i + 1),
      });
      const b = chart({
        id: `best-vs-time-${metric}`,
        title: `Best ${metric} so far, by time`,
        xLabel: 'seconds since the run started',
        yLabel: metric,
        series: bestSoFar(d, metric, (_i, t) => ((t.finishedAt ?? t.startedAt) - t0) / 1000),
      });
      return `<div class="row">${a}${b}</div>`;
    })
    .join('\n');
}

/** y: the final stage's primary objective; x: its second objective, or parameters. */
function tradeoffPlot(d: ReportData): string {
  const f = d.final;
  const yObj = f.objectives[0];
  const xObj: Objective = f.objectives[1] ?? { metric: 'params', mode: 'min' };
  const pts = d.stages.flatMap((s) =>
    s.trials
      .filter(
        (t) =>
          t.state === 'complete' &&
          typeof t.metrics[yObj.metric] === 'number' &&
          typeof t.metrics[xObj.metric] === 'number',
      )
      .map((t) => ({ s, t, x: t.metrics[xObj.metric], y: t.metrics[yObj.metric] })),
  );
  const series: Series[] = d.stages.map((s, i) => ({
    name: stageLabel(s),
    color: PALETTE[i % PALETTE.length],
    kind: 'scatter',
    points: pts
      .filter((p) => p.s === s)
      .map((p) => ({
        x: p.x,
        y: p.y,
        label: `${stageLabel(s)} #${p.t.number} ${p.t.key}: ${yObj.metric} ${fmtNum(p.y)}, ${xObj.metric} ${fmtNum(p.x)}`,
      })),
  }));
  // Pareto front of the plotted points (oriented by the objectives' modes)
  const v = (p: { x: number; y: number }) => [yObj.mode === 'max' ? p.y : -p.y, xObj.mode === 'max' ? p.x : -p.x];
  const front = pts.filter((a) => !pts.some((b) => dominates(v(b), v(a)))).sort((a, b) => a.x - b.x);
  series.push({
    name: 'Pareto front',
    color: '#111827',
    kind: 'step',
    points: front.map((p) => ({ x: p.x, y: p.y, label: `front: #${p.t.number} (${stageLabel(p.s)})` })),
    dashed: true,
  });
  const positive = pts.every((p) => p.x > 0);
  const spread = positive && pts.length > 1 ? Math.max(...pts.map((p) => p.x)) / Math.min(...pts.map((p) => p.x)) : 1;
  return chart({
    id: 'tradeoff',
    title: `${yObj.metric} against ${xObj.metric}, Pareto front dashed`,
    xLabel: xObj.metric,
    yLabel: yObj.metric,
    series,
    xLog: spread > 30,
  });
}

function curvesPlot(d: ReportData): string {
  const stage = [...d.stages].reverse().find((s) => s.trials.some((t) => (t.curve?.length ?? 0) > 1)) ?? d.final;
  const metric = stage.objective.metric;
  const withCurves = stage.ranked.filter((t) => (t.curve?.length ?? 0) > 0).slice(0, 8);
  const series: Series[] = withCurves.map((t, i) => ({
    name: `#${t.number}`,
    color: PALETTE[i % PALETTE.length],
    kind: 'line',
    points: (t.curve ?? [])
      .filter((c) => typeof c.metrics[metric] === 'number')
      .map((c) => ({
        x: c.step,
        y: c.metrics[metric],
        label: `#${t.number} step ${c.step}: ${metric} ${fmtNum(c.metrics[metric])}`,
      })),
  }));
  return chart({
    id: 'curves',
    title: `Learning curves of the best trials (${stageLabel(stage)}): ${metric}`,
    xLabel: 'epoch',
    yLabel: metric,
    series,
  });
}

function opsPlot(d: ReportData): string {
  const rows = d.ops.slice(0, 14).map((o) => ({ label: o.op, values: [o.best, o.all] }));
  return bars({
    id: 'ops',
    title: 'Operations: share of architectures using each, among the best vs all evaluated',
    rows,
    names: ['best', 'all'],
  });
}

/** Columns per stage; nodes are the trials linked across stages (and the best's ancestors); the best's lineage in red. */
function lineagePlot(d: ReportData): string {
  const id = (s: string, n: number) => `${s}\0${n}`;
  const nodes = new Map<string, { stage: string; number: number }>();
  const edges = d.edges.filter((e) => e.via === 'from');
  const chain = new Set(d.lineage.map((l) => id(l.stage, l.number)));
  for (const e of edges) {
    nodes.set(id(e.child.stage, e.child.number), e.child);
    nodes.set(id(e.parent.stage, e.parent.number), e.parent);
  }
  for (const l of d.lineage) nodes.set(id(l.stage, l.number), l);
  const chainEdges = d.lineage.slice(1).map((l, i) => ({ child: d.lineage[i], parent: l }));
  const stageNames = d.stages.map((s) => s.name);
  const cols = stageNames.map((name) =>
    [...nodes.values()].filter((n) => n.stage === name).sort((a, b) => a.number - b.number),
  );
  const rowsMax = Math.max(1, ...cols.map((c) => c.length));
  const W = Math.max(560, 150 * stageNames.length);
  const H = Math.min(1200, 60 + rowsMax * 26);
  const pos = new Map<string, { x: number; y: number }>();
  cols.forEach((c, i) =>
    c.forEach((n, j) =>
      pos.set(id(n.stage, n.number), {
        x: 70 + i * ((W - 140) / Math.max(1, stageNames.length - 1)),
        y: 50 + j * ((H - 70) / Math.max(1, c.length - 1 || 1)),
      }),
    ),
  );
  const parts = [
    `<svg class="plot" data-plot="lineage" data-points="${nodes.size}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" xmlns="http://www.w3.org/2000/svg"><title>Lineage across stages</title>`,
  ];
  stageNames.forEach((name, i) =>
    parts.push(
      `<text x="${70 + i * ((W - 140) / Math.max(1, stageNames.length - 1))}" y="22" text-anchor="middle" class="ptitle">${esc(stageLabel({ name }))}</text>`,
    ),
  );
  const line = (a: { stage: string; number: number }, b: { stage: string; number: number }, cls: string) => {
    const p = pos.get(id(a.stage, a.number));
    const q = pos.get(id(b.stage, b.number));
    if (p && q) parts.push(`<line x1="${p.x}" y1="${p.y}" x2="${q.x}" y2="${q.y}" class="${cls}"/>`);
  };
  for (const e of edges) line(e.parent, e.child, 'edge');
  for (const e of chainEdges) line(e.parent, e.child, 'edge best');
  for (const [k, n] of nodes) {
    const p = pos.get(k)!;
    const on = chain.has(k);
    parts.push(
      `<g class="node${on ? ' best' : ''}"><circle cx="${p.x}" cy="${p.y}" r="9"/><text x="${p.x}" y="${p.y + 3.5}" text-anchor="middle">${n.number}</text><title>${esc(`${stageLabel(n)} trial #${n.number}${on ? ' (lineage of the best)' : ''}`)}</title></g>`,
    );
  }
  if (nodes.size === 0)
    parts.push(
      `<text x="${W / 2}" y="${H / 2}" text-anchor="middle" class="empty">single stage: no lineage across stages</text>`,
    );
  parts.push('</svg>');
  return parts.join('');
}

function metricsText(m: Record<string, number>): string {
  return Object.entries(m)
    .map(([k, v]) => `${esc(k)}=${fmtNum(v)}`)
    .join(', ');
}

function stageTable(d: ReportData): string {
  const row = (s: StageData) => {
    const c = { complete: 0, pruned: 0, failed: 0, running: 0 };
    for (const t of s.trials) c[t.state]++;
    const b = s.ranked[0];
    return (
      `<tr><td>${esc(stageLabel(s))}</td><td>${esc(s.strategy)}</td><td>${esc(s.evaluation)}</td><td>${s.objectives.map((o) => `${esc(o.metric)} (${o.mode})`).join(', ')}</td>` +
      `<td>${s.from ? `top ${s.from.top} of ${esc(s.from.stage)}` : ''}</td><td>${c.complete}/${c.pruned}/${c.failed}</td><td>${esc(s.row?.status ?? (s.name ? 'not started' : d.run.status))}</td>` +
      `<td>${b ? `#${b.number}: ${esc(s.objective.metric)} ${fmtNum(b.metrics[s.objective.metric])}` : ''}</td></tr>`
    );
  };
  return `<table><thead><tr><th>stage</th><th>strategy</th><th>evaluation</th><th>objective</th><th>from</th><th>complete/pruned/failed</th><th>status</th><th>best</th></tr></thead><tbody>${d.stages.map(row).join('')}</tbody></table>`;
}

/** Which decisions explain the objective (fANOVA on an additive model plus a random forest; see engine/report/importance). */
function importanceSection(d: ReportData): string {
  const e = d.importance;
  if (!e) return '';
  const plot = bars({
    id: 'importance',
    title: `Decision importance: share of ${e.metric}'s variance each decision explains alone`,
    rows: e.decisions.slice(0, 16).map((x) => ({ label: x.name, values: [x.importance.mean] })),
    names: ['fANOVA main effect'],
  });
  const best = e.best
    ? `<p>Best trial #${e.best.number}: its decisions, by how much ${esc(e.metric)} is predicted to drop with another choice (± sd over ${e.trees} trees).</p><table><thead><tr><th>decision</th><th>choice</th><th>loss if changed</th><th>worst alternative</th><th>trials differing only here</th></tr></thead><tbody>${e.best.decisions
        .map(
          (x) =>
            `<tr><td>${esc(x.name)}</td><td>${esc(x.value)}</td><td>${fmtNum(x.effect.mean)} ± ${fmtNum(x.effect.std)}</td><td>${x.worst ? `${esc(x.worst.value)} (−${fmtNum(x.worst.loss)})` : ''}</td><td>${esc(x.confirmed.map((c) => `#${c.number} ${c.value} ${fmtNum(c.metric)}`).join(', '))}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : '';
  return `<h2>Decision importance</h2><p>fANOVA on an additive model plus a random forest over ${e.trials} complete trials (out-of-bag R² ${e.oob_r2 === null ? '-' : fmtNum(e.oob_r2)}); single decisions explain ${fmtNum(e.main_effects_total * 100)}% of the predicted variance. <code>nas explain</code> gives the marginal effect of every choice.</p>${plot}${best}`;
}

export function renderHtml(d: ReportData): string {
  const b = d.best;
  const title = `NAS report: ${d.run.name} (run ${d.run.id})`;
  const lineage = d.lineage.map(
    (l) =>
      `${esc(stageLabel(l))} #${l.number}${l.via === 'self' ? '' : l.via === 'from' ? ' (seeded from)' : ' (mutated from)'}`,
  );
  const front = d.front
    ? `<h2>Pareto front (${d.front.length} trials)</h2><table><thead><tr><th>trial</th><th>key</th><th>metrics</th></tr></thead><tbody>${d.front.map((t) => `<tr><td>#${t.number}</td><td><code>${esc(t.key)}</code></td><td>${metricsText(t.metrics)}</td></tr>`).join('')}</tbody></table>`
    : '';
  const testNames = d.tested.length ? Object.keys(d.tested[0].test) : [];
  const tested = d.tested.length
    ? `<h2>Held-out test split</h2><table id="test-split"><thead><tr><th>trial</th>${testNames.map((n) => `<th>${esc(n)} validation</th><th>${esc(n)} test</th>`).join('')}</tr></thead><tbody>${d.tested.map((t) => `<tr><td>#${t.number}</td>${testNames.map((n) => `<td>${fmtNum(t.validation[n])}</td><td>${fmtNum(t.test[n])}</td>`).join('')}</tr>`).join('')}</tbody></table>`
    : '';
  const rejected = d.rejected.length
    ? `<p>${d.rejected.length} candidate(s) rejected by constraints before evaluation (${esc(
        Object.entries(d.workflow.constraints ?? {})
          .map(
            ([k, c]) => `${k}${c.min !== undefined ? ` >= ${c.min}` : ''}${c.max !== undefined ? ` <= ${c.max}` : ''}`,
          )
          .join(', '),
      )}).</p>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1180px;color:#111827;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #e5e7eb;padding-bottom:4px}
.meta{color:#4b5563}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #e5e7eb;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f9fafb}code{font-size:12px;word-break:break-all}.row{display:flex;flex-wrap:wrap;gap:12px}
svg.plot{background:#fff;border:1px solid #e5e7eb;border-radius:4px;margin:4px 0}
.grid{stroke:#f3f4f6}.frame{fill:none;stroke:#9ca3af}.tick{font-size:10px;fill:#4b5563}.axis{font-size:11px;fill:#374151}
.ptitle{font-size:12px;font-weight:600;fill:#111827}.legend{font-size:10px;fill:#374151}.empty{fill:#9ca3af;font-size:13px}
.edge{stroke:#cbd5e1;stroke-width:1.2}.edge.best{stroke:#dc2626;stroke-width:2.5}
.node circle{fill:#e0e7ff;stroke:#6366f1}.node.best circle{fill:#fee2e2;stroke:#dc2626;stroke-width:2}.node text{font-size:9px}
</style></head>
<body>
<h1>${esc(title)}</h1>
<p class="meta">workflow <code>${esc(d.run.workflowFile)}</code> · status <b>${esc(d.run.status)}</b>${d.run.reason ? ` (${esc(d.run.reason)})` : ''} · ${d.timeline.length} trials · ${fmtNum(d.run.elapsedMs / 1000)} s searching · generated <span id="generated" data-ms="${d.generatedAt}">${new Date(d.generatedAt).toISOString()}</span></p>
${rankingsOf(d.run.info)
  .map((q) => `<p class="meta ranking">${esc(rankingText(q))}</p>`)
  .join('')}
<h2>Best</h2>
${b ? `<p id="best">Trial #${b.number}${d.final.name ? ` of stage ${esc(d.final.name)}` : ''}: <b>${esc(d.final.objective.metric)} ${fmtNum(b.metrics[d.final.objective.metric])}</b> — ${metricsText(b.metrics)}</p><p><code>${esc(b.key)}</code></p>${lineage.length > 1 ? `<p id="lineage">Lineage: ${lineage.join(' ← ')}</p>` : ''}` : '<p id="best">No complete trial yet.</p>'}
${rejected}
<h2>Stages</h2>
${stageTable(d)}
<h2>Progress</h2>
${progressPlots(d)}
<h2>Trade-off</h2>
<div class="row">${tradeoffPlot(d)}${curvesPlot(d)}</div>
${tested}
${front}
<h2>Operations among the best</h2>
${opsPlot(d)}
<h2>Lineage across stages</h2>
${lineagePlot(d)}
${importanceSection(d)}
<script>
(function () {
  var el = document.getElementById('generated');
  if (el) el.textContent = new Date(Number(el.getAttribute('data-ms'))).toLocaleString();
  document.documentElement.setAttribute('data-plots', String(document.querySelectorAll('svg.plot').length));
})();
</script>
</body></html>
`;
}
