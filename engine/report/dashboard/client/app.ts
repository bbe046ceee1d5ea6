/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The dashboard page: runs, trials (server-side paging, sort, filter, CSV), a trial's details,
// plots, decision importance; kept live by Server-Sent Events. New trials update what is on screen
// in place (a row, a plot's data); nothing reloads the page or refetches every trial per event.

// the server's own types (erased from the compiled client: type-only imports), so the JSON contract
// is written once
import type { Objective } from '../../../core/types.js';
import type { Explanation } from '../../importance/explain.js';
import type { TrialSummary as Trial } from '../feed.js';
import { byId, clear, duration, el, getJson, metricText, sig } from './dom.js';
import { LinePlot, parallelCoordinates, PALETTE } from './plots.js';

interface RunInfo {
  store: number;
  storeName: string;
  run: number;
  name: string;
  status: string;
  reason: string | null;
  budget: { trials: number | null; time: number | null };
  counts: Record<string, number>;
  elapsed_s: number;
  strategy: string;
  stages: string[];
  objectives: Objective[];
  best: { stage: string; number: number; value: number | null } | null;
}
type SeriesTrial = Pick<Trial, 'stage' | 'number' | 'state' | 'metrics' | 'startedAt' | 'finishedAt'>;
interface Series {
  run: number;
  objectives: Objective[];
  finalStage: string;
  stages: string[];
  /** Every metric name of the run's trials. */
  metrics: string[];
  /** Every trial, with the objectives and size metrics only. */
  trials: SeriesTrial[];
  decisions: { name: string; values: string[] }[];
  decisionRows: { number: number; values: number[] }[];
  front: number[];
  lineage: { stage: string; from: string; via: 'from' | 'parent'; n: number }[];
}

/** Measured in the browser, read by the tests: first page render, and each SSE event's handling. */
const timings = {
  firstPage: null as number | null,
  sse: [] as { received: number; rendered: number; wall: number; trials: number }[],
};
(window as unknown as { __nas: unknown }).__nas = { timings, loadedAt: Date.now() };

const PAGE = 100;
let runs: RunInfo[] = [];
let current: RunInfo | undefined;
let series: Series | undefined;
const query = { state: '', stage: '', metric: '', min: '', max: '', sort: 'number', desc: true, offset: 0 };
let total = 0;
let rows: Trial[] = [];
let view = 'trials';
let selected: string | undefined;
const compareRuns = new Set<string>();

const plots = {
  bestTrials: new LinePlot(byId('plot-best-trials'), 'trial', 'best so far'),
  bestTime: new LinePlot(byId('plot-best-time'), 'seconds', 'best so far'),
  curves: new LinePlot(byId('plot-curves'), 'epoch', 'metric'),
  pareto: new LinePlot(byId('plot-pareto'), 'x', 'y'),
  compare: new LinePlot(byId('compare-plot'), 'trial', 'best so far'),
  detail: new LinePlot(byId('detail-curve'), 'epoch', 'value'),
};

const runId = (r: { store: number; run: number }) => `${r.store}:${r.run}`;
const base = () => `store=${current!.store}&run=${current!.run}`;

async function loadRuns(): Promise<void> {
  runs = await getJson<RunInfo[]>('/api/runs');
  const sel = byId<HTMLSelectElement>('run-select');
  const keep = current ? runId(current) : undefined;
  clear(sel);
  for (const r of runs)
    sel.append(el('option', { value: runId(r) }, `${r.storeName} · run ${r.run} · ${r.name} (${r.status})`));
  current = runs.find((r) => runId(r) === keep) ?? runs[runs.length - 1];
  if (current) sel.value = runId(current);
  renderRuns();
  renderTitle();
}

function renderTitle(): void {
  const t = byId('run-title');
  if (!current) return void (t.textContent = 'no runs yet');
  const c = current.counts;
  const done = (c.complete ?? 0) + (c.pruned ?? 0) + (c.failed ?? 0);
  t.textContent = `${current.name}: ${current.status}, ${done}${current.budget.trials ? `/${current.budget.trials}` : ''} trials, ${duration(current.elapsed_s)}`;
}

function renderRuns(): void {
  const table = byId<HTMLTableElement>('runs-table');
  clear(table);
  table.append(
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        ...[
          'compare',
          'store',
          'run',
          'name',
          'status',
          'trials',
          'complete',
          'pruned',
          'failed',
          'strategy',
          'best',
          'time',
        ].map((h) => el('th', {}, h)),
      ),
    ),
  );
  const body = el('tbody');
  for (const r of runs) {
    const box = el('input', { type: 'checkbox' });
    box.checked = compareRuns.has(runId(r));
    box.addEventListener('change', () => {
      if (box.checked) compareRuns.add(runId(r));
      else compareRuns.delete(runId(r));
      void renderCompare();
    });
    const name = el('a', { href: '#' }, r.name);
    name.addEventListener('click', (ev) => {
      ev.preventDefault();
      void selectRun(runId(r), 'trials');
    });
    const done = (r.counts.complete ?? 0) + (r.counts.pruned ?? 0) + (r.counts.failed ?? 0);
    const o = r.objectives[0];
    body.append(
      el(
        'tr',
        {},
        el('td', {}, box),
        el('td', {}, r.storeName),
        el('td', { class: 'num' }, r.run),
        el('td', {}, name),
        el('td', {}, r.reason ? `${r.status} (${r.reason})` : r.status),
        el('td', { class: 'num' }, `${done}${r.budget.trials ? `/${r.budget.trials}` : ''}`),
        el('td', { class: 'num' }, r.counts.complete ?? 0),
        el('td', { class: 'num' }, r.counts.pruned ?? 0),
        el('td', { class: 'num' }, r.counts.failed ?? 0),
        el('td', {}, r.strategy),
        el('td', {}, r.best ? `${o.metric}=${metricText(o.metric, r.best.value)} (#${r.best.number})` : '-'),
        el('td', { class: 'num' }, duration(r.elapsed_s)),
      ),
    );
  }
  table.append(body);
}

async function renderCompare(): Promise<void> {
  const picked = runs.filter((r) => compareRuns.has(runId(r)));
  const curves = await Promise.all(
    picked.map(async (r) => {
      const s = await getJson<Series>(`/api/series?store=${r.store}&run=${r.run}`);
      return bestSoFar(
        s.trials.filter((t) => t.stage === s.finalStage),
        s.objectives[0],
      );
    }),
  );
  const n = Math.max(0, ...curves.map((c) => c.length));
  const x = Array.from({ length: n }, (_, i) => i + 1);
  plots.compare.set(
    x,
    curves.map((c) => x.map((_, i) => c[i] ?? null)),
    picked.map((r, i) => ({ label: `${r.storeName} run ${r.run} ${r.name}`, color: PALETTE[i % PALETTE.length] })),
  );
}

/** Best so far after each finished trial (in finishing order). */
function bestSoFar(trials: SeriesTrial[], o: Objective): number[] {
  const done = trials.filter((t) => t.state !== 'running').sort((a, b) => (a.finishedAt ?? 0) - (b.finishedAt ?? 0));
  let best: number | null = null;
  const out: number[] = [];
  for (const t of done) {
    const v = t.state === 'complete' ? t.metrics[o.metric] : undefined;
    if (typeof v === 'number' && (best === null || (o.mode === 'max' ? v > best : v < best))) best = v;
    if (best !== null) out.push(best);
  }
  return out;
}

// ---- trials table -------------------------------------------------------------------------------

function trialParams(): string {
  const p = new URLSearchParams(base());
  if (query.state) p.set('state', query.state);
  if (query.stage) p.set('stage', query.stage === '(none)' ? '' : query.stage);
  if (query.metric && (query.min !== '' || query.max !== '')) {
    p.set('metric', query.metric);
    if (query.min !== '') p.set('min', query.min);
    if (query.max !== '') p.set('max', query.max);
  }
  p.set('sort', query.sort);
  if (query.desc) p.set('desc', '1');
  return p.toString();
}

function metricNames(): string[] {
  if (!current) return [];
  const first = current.objectives.map((o) => o.metric);
  const seen = new Set<string>(first);
  for (const k of series?.metrics ?? []) seen.add(k);
  for (const t of rows) for (const k of Object.keys(t.metrics)) seen.add(k);
  return [...seen].slice(0, 6);
}

async function loadPage(): Promise<void> {
  if (!current) return;
  const params = trialParams();
  const page = await getJson<{ total: number; rows: Trial[] }>(
    `/api/trials?${params}&offset=${query.offset}&limit=${PAGE}`,
  );
  total = page.total;
  rows = page.rows;
  byId<HTMLAnchorElement>('csv').href = `/api/trials.csv?${params}`;
  renderTable();
  if (timings.firstPage === null) timings.firstPage = performance.now();
}

function renderTable(): void {
  const table = byId<HTMLTableElement>('trials-table');
  const metrics = metricNames();
  const cols: { key: string; label: string }[] = [
    { key: 'number', label: '#' },
    ...(current && current.stages.length ? [{ key: 'stage', label: 'stage' }] : []),
    { key: 'state', label: 'state' },
    ...metrics.map((m) => ({ key: `metric:${m}`, label: m })),
    { key: 'steps', label: 'epochs' },
    { key: 'arch', label: 'arch' },
  ];
  const head = el(
    'tr',
    {},
    ...cols.map((c) => {
      const sortable = c.key !== 'arch' && c.key !== 'steps';
      const arrow = query.sort === c.key ? (query.desc ? ' ▼' : ' ▲') : '';
      const th = el('th', { 'data-sort': c.key }, c.label + arrow);
      if (sortable)
        th.addEventListener('click', () => {
          query.desc = query.sort === c.key ? !query.desc : c.key.startsWith('metric:');
          query.sort = c.key;
          query.offset = 0;
          void loadPage();
        });
      return th;
    }),
  );
  const body = el('tbody');
  for (const t of rows) body.append(rowOf(t, cols));
  table.replaceChildren(el('thead', {}, head), body);
  const from = total === 0 ? 0 : query.offset + 1;
  byId('page-info').textContent = `${from}–${Math.min(query.offset + PAGE, total)} of ${total}`;
  byId('count').textContent = `${total} trials match`;
}

function rowOf(t: Trial, cols: { key: string }[]): HTMLTableRowElement {
  const id = `${t.stage}:${t.number}`;
  const tr = el('tr', { 'data-trial': id, class: id === selected ? 'selected' : '' });
  for (const c of cols) {
    if (c.key === 'number') tr.append(el('td', { class: 'num' }, t.number));
    else if (c.key === 'stage') tr.append(el('td', {}, t.stage));
    else if (c.key === 'state') tr.append(el('td', { class: `state-${t.state}` }, t.state));
    else if (c.key === 'steps') tr.append(el('td', { class: 'num' }, t.steps || ''));
    else if (c.key === 'arch') tr.append(el('td', {}, t.arch));
    else {
      const m = c.key.slice(7);
      tr.append(el('td', { class: 'num', title: String(t.metrics[m] ?? '') }, metricText(m, t.metrics[m])));
    }
  }
  tr.addEventListener('click', () => void showTrial(t));
  return tr;
}

async function showTrial(t: Trial): Promise<void> {
  selected = `${t.stage}:${t.number}`;
  for (const tr of document.querySelectorAll('#trials-table tr.selected')) tr.classList.remove('selected');
  document.querySelector(`#trials-table tr[data-trial="${CSS.escape(selected)}"]`)?.classList.add('selected');
  const d = await getJson<{
    number: number;
    stage: string;
    state: string;
    key: string;
    arch: unknown;
    metrics: Record<string, number>;
    curve?: { step: number; metrics: Record<string, number> }[];
    info?: unknown;
    error?: string;
    attempts: number;
    lineage: { stage: string; number: number; via: string }[];
  }>(`/api/trial?${base()}&stage=${encodeURIComponent(t.stage)}&number=${t.number}`);
  byId('detail').hidden = false;
  byId('detail-title').textContent = `Trial #${d.number}${d.stage ? ` (stage ${d.stage})` : ''}: ${d.state}`;
  const err = byId('detail-error');
  err.hidden = !d.error;
  err.textContent = d.error ?? '';
  byId('detail-arch').textContent = `${d.key}\n\n${JSON.stringify(d.arch, null, 2)}`;
  byId('detail-info').textContent = JSON.stringify(
    { metrics: d.metrics, attempts: d.attempts, info: d.info ?? null },
    null,
    2,
  );
  const lin = byId('detail-lineage');
  clear(lin);
  for (const s of d.lineage) lin.append(el('li', {}, `${s.stage ? `${s.stage} ` : ''}#${s.number} (${s.via})`));
  const curve = d.curve ?? [];
  const names = [...new Set(curve.flatMap((p) => Object.keys(p.metrics)))].filter((m) => !/^(params|flops)/.test(m));
  plots.detail.set(
    curve.map((p) => p.step),
    names.map((m) => curve.map((p) => p.metrics[m] ?? null)),
    names.map((m) => ({ label: m })),
  );
}

// ---- plots ----------------------------------------------------------------------------------------

async function loadSeries(): Promise<void> {
  if (!current) return;
  series = await getJson<Series>(`/api/series?${base()}`);
  const stageSel = document.querySelector<HTMLSelectElement>('#filters select[name=stage]')!;
  clear(stageSel);
  stageSel.append(el('option', { value: '' }, 'all'));
  for (const s of series.stages) if (s) stageSel.append(el('option', { value: s }, s));
  stageSel.value = query.stage;
  const metricSel = document.querySelector<HTMLSelectElement>('#filters select[name=metric]')!;
  clear(metricSel);
  for (const m of metricNames()) metricSel.append(el('option', { value: m }, m));
  query.metric = query.metric || metricNames()[0] || '';
  metricSel.value = query.metric;
}

let plotTimer: number | undefined;
/** Live plots: at most one redraw per second, with the run's columns fetched again (decisions too). */
function schedulePlots(): void {
  if (view !== 'plots' || plotTimer !== undefined) return;
  plotTimer = window.setTimeout(() => {
    void loadSeries().then(() => {
      plotTimer = undefined;
      renderPlots();
    });
  }, 1000);
}

function renderPlots(): void {
  if (!series || view !== 'plots') return;
  const logY = byId<HTMLInputElement>('log-y').checked;
  const s = series;
  const o = s.objectives[0];
  const stages = s.stages;
  // best so far by trial and by time, one series per stage
  const byStage = stages.map((g) => s.trials.filter((t) => t.stage === g));
  const curves = byStage.map((ts) => bestSoFar(ts, o));
  const n = Math.max(0, ...curves.map((c) => c.length));
  const x = Array.from({ length: n }, (_, i) => i + 1);
  const labels = stages.map((g) => ({ label: g || o.metric }));
  plots.bestTrials.set(
    x,
    curves.map((c) => x.map((_, i) => c[i] ?? null)),
    labels,
    { logY },
  );
  const done = s.trials
    .filter((t) => t.state !== 'running' && t.finishedAt)
    .sort((a, b) => a.finishedAt! - b.finishedAt!);
  const t0 = Math.min(...s.trials.map((t) => t.startedAt));
  const times = done.map((t) => (t.finishedAt! - t0) / 1000);
  const bestAt = stages.map((g) => {
    let best: number | null = null;
    return done.map((t) => {
      const v = t.stage === g && t.state === 'complete' ? t.metrics[o.metric] : undefined;
      if (typeof v === 'number' && (best === null || (o.mode === 'max' ? v > best : v < best))) best = v;
      return best;
    });
  });
  plots.bestTime.set(times, bestAt, labels, { logY });
  // Pareto front: the two objectives, or the objective against params
  const final = s.trials.filter((t) => t.stage === s.finalStage && t.state === 'complete');
  const xm = s.objectives[1]?.metric ?? 'params';
  byId('pareto-caption').textContent = s.objectives.length > 1 ? 'Pareto front' : `${o.metric} against ${xm}`;
  const pts = final.filter((t) => typeof t.metrics[xm] === 'number').sort((a, b) => a.metrics[xm] - b.metrics[xm]);
  const front = new Set(s.front);
  plots.pareto.set(
    pts.map((t) => t.metrics[xm]),
    [
      pts.map((t) => (front.has(t.number) ? null : t.metrics[o.metric])),
      pts.map((t) => (front.has(t.number) ? t.metrics[o.metric] : null)),
    ],
    [
      { label: 'trials', color: '#999' },
      { label: 'Pareto front', color: '#d62728' },
    ],
    { scatter: true, xLabel: xm, yLabel: o.metric },
  );
  // parallel coordinates over the final stage's decisions
  const values = new Map(final.map((t) => [t.number, t.metrics[o.metric]]));
  parallelCoordinates(
    byId<HTMLCanvasElement>('plot-parallel'),
    s.decisions,
    s.decisionRows
      .filter((r) => typeof values.get(r.number) === 'number')
      .map((r) => ({ values: r.values, objective: values.get(r.number)! })),
    o.metric,
    o.mode === 'max',
  );
  // lineage across stages: how many trials each stage seeded into the next
  const lin = byId('plot-lineage');
  clear(lin);
  if (s.lineage.length === 0) lin.append(el('p', { class: 'empty' }, 'no lineage recorded'));
  else
    lin.append(
      el(
        'ul',
        {},
        ...s.lineage.map((e) =>
          el(
            'li',
            {},
            e.via === 'from'
              ? `${e.from} → ${e.stage}: ${e.n} trials seeded from the earlier stage`
              : `${e.stage || 'run'}: ${e.n} trials mutated from a parent in the same stage`,
          ),
        ),
      ),
    );
  void renderCurves(logY);
}

async function renderCurves(logY: boolean): Promise<void> {
  if (!current) return;
  const c = await getJson<{ metric: string; best: CurveTrial[]; pruned: CurveTrial[] }>(
    `/api/curves?${base()}&limit=15`,
  );
  const all = [...c.best, ...c.pruned.filter((p) => !c.best.some((b) => b.number === p.number))];
  const steps = [...new Set(all.flatMap((t) => (t.curve ?? []).map((p) => p.step)))].sort((a, b) => a - b);
  const ys = all.map((t) => steps.map((s) => (t.curve ?? []).find((p) => p.step === s)?.metrics[c.metric] ?? null));
  plots.curves.set(
    steps,
    ys,
    all.map((t, i) => ({
      label: `#${t.number}${t.state === 'pruned' ? ' pruned' : ''}`,
      color: t.state === 'pruned' ? '#d62728' : PALETTE[i % PALETTE.length],
      dash: t.state === 'pruned' ? [4, 3] : undefined,
    })),
    { logY },
  );
}
interface CurveTrial {
  number: number;
  state: string;
  curve?: { step: number; metrics: Record<string, number> }[];
}

// ---- decision importance ---------------------------------------------------------------------------

async function renderImportance(): Promise<void> {
  if (!current) return;
  const head = byId('importance-head');
  let e: Explanation;
  try {
    e = await getJson<Explanation>(`/api/explain?${base()}`);
  } catch (err) {
    head.textContent = `Not enough trials yet: ${(err as Error).message.replace(/^.*?: \d+ /, '')}`;
    return;
  }
  head.textContent =
    `fANOVA on an additive model plus a random forest (${e.trees} trees, out-of-bag R² ${sig(e.oob_r2)}) over ${e.trials} complete trials: ` +
    `the share of ${e.metric}'s variance each decision explains alone (± sd over trees); together ${sig(e.main_effects_total * 100)}%.`;
  const bars = byId('importance-bars');
  clear(bars);
  const top = Math.max(...e.decisions.map((d) => d.importance.mean), 1e-9);
  for (const d of e.decisions)
    bars.append(
      el(
        'div',
        { class: 'bar' },
        el('span', { class: 'name' }, d.name),
        el('span', { class: 'fill', style: `width:${Math.round((300 * d.importance.mean) / top)}px` }),
        el('span', {}, `${sig(d.importance.mean * 100)}%`),
        el('span', { class: 'err' }, `± ${sig(d.importance.std * 100)}`),
      ),
    );
  const best = byId<HTMLTableElement>('importance-best');
  clear(best);
  best.append(
    el(
      'tr',
      {},
      ...[
        'decision',
        'choice',
        `loss in ${e.metric} if changed`,
        'worst alternative',
        'trials differing only here',
      ].map((h) => el('th', {}, h)),
    ),
  );
  for (const d of e.best?.decisions ?? [])
    best.append(
      el(
        'tr',
        {},
        el('td', {}, d.name),
        el('td', {}, d.value),
        el('td', { class: 'num' }, `${sig(d.effect.mean)} ± ${sig(d.effect.std)}`),
        el('td', {}, d.worst ? `${d.worst.value} (−${sig(d.worst.loss)})` : '-'),
        el('td', {}, d.confirmed.map((c) => `#${c.number} ${c.value} ${sig(c.metric)}`).join(', ') || 'none'),
      ),
    );
  const marg = byId<HTMLTableElement>('importance-marginals');
  clear(marg);
  marg.append(
    el(
      'tr',
      {},
      ...['decision', 'choice', `predicted ${e.metric}`, 'trials', 'observed mean'].map((h) => el('th', {}, h)),
    ),
  );
  for (const d of e.decisions)
    d.choices.forEach((c, i) =>
      marg.append(
        el(
          'tr',
          {},
          el('td', {}, i === 0 ? d.name : ''),
          el('td', {}, c.value),
          el('td', { class: 'num' }, `${sig(c.marginal.mean)} ± ${sig(c.marginal.std)}`),
          el('td', { class: 'num' }, c.trials),
          el('td', { class: 'num' }, sig(c.observed)),
        ),
      ),
    );
}

// ---- live updates ----------------------------------------------------------------------------------

let pageTimer: number | undefined;
let pendingTiming: { received: number; trials: number } | undefined;
function onTrials(trials: Trial[], received: number): void {
  const mine = trials.filter((t) => current && t.store === current.store && t.run === current.run);
  const added: Trial[] = [];
  if (series)
    for (const t of mine) {
      const i = series.trials.findIndex((x) => x.stage === t.stage && x.number === t.number);
      if (i >= 0) series.trials[i] = t;
      else {
        series.trials.push(t);
        added.push(t);
      }
    }
  if (mine.length === 0) return;
  if (current && series) {
    const counts: Record<string, number> = { running: 0, complete: 0, pruned: 0, failed: 0 };
    for (const t of series.trials) counts[t.state] = (counts[t.state] ?? 0) + 1;
    current.counts = counts;
    renderTitle();
  }
  const changed = new Map(mine.map((t) => [`${t.stage}:${t.number}`, t]));
  const live =
    series !== undefined &&
    query.offset === 0 &&
    query.sort === 'number' &&
    query.desc &&
    !query.state &&
    !query.stage &&
    query.min === '' &&
    query.max === '';
  if (live) {
    // the newest-first first page, unfiltered (what one watches during a run): updated right here
    rows = rows.map((r) => changed.get(`${r.stage}:${r.number}`) ?? r);
    rows = [...added, ...rows].sort((a, b) => b.number - a.number).slice(0, PAGE);
    total += added.length;
    renderTable();
    requestAnimationFrame(() =>
      timings.sse.push({ received, rendered: performance.now(), wall: Date.now(), trials: mine.length }),
    );
  } else {
    // rows on screen change in place at once; order and count need the server (one small query)
    const cols = [...document.querySelectorAll('#trials-table th')].map((th) => ({
      key: th.getAttribute('data-sort') ?? '',
    }));
    for (const t of mine) {
      const tr = document.querySelector(`#trials-table tr[data-trial="${CSS.escape(`${t.stage}:${t.number}`)}"]`);
      if (tr) tr.replaceWith(rowOf(t, cols));
    }
  }
  if (!live) {
    // order and count need the server: query the page soon (and time it from this event)
    pendingTiming ??= { received, trials: mine.length };
    window.clearTimeout(pageTimer);
    pageTimer = undefined;
  }
  // the live view is checked against the server too, once things calm down
  if (pageTimer === undefined)
    pageTimer = window.setTimeout(
      () => {
        pageTimer = undefined;
        const pt = pendingTiming;
        pendingTiming = undefined;
        void loadPage().then(() => {
          if (pt) timings.sse.push({ ...pt, rendered: performance.now(), wall: Date.now() });
        });
      },
      live ? 1000 : 30,
    );
  schedulePlots();
}

function connect(): void {
  const live = byId('live');
  const es = new EventSource('/events');
  es.addEventListener('open', () => {
    live.textContent = 'live';
    live.className = 'live on';
  });
  es.addEventListener('error', () => {
    live.textContent = 'reconnecting…';
    live.className = 'live off';
  });
  es.addEventListener('trials', (ev) => {
    const received = performance.now();
    const data = JSON.parse((ev as MessageEvent<string>).data) as { trials: Trial[] };
    onTrials(data.trials, received);
  });
  es.addEventListener('runs', () => void onRuns());
  // events were missed beyond what the server keeps: reload the data (not the page)
  es.addEventListener('reset', () => void refreshAll());
}

/** Runs changed (one added, a status, a budget): the list again; the first run to appear is shown. */
async function onRuns(): Promise<void> {
  const had = current;
  await loadRuns();
  if (!had && current) await selectRun(runId(current));
}

async function refreshAll(): Promise<void> {
  await loadRuns();
  await loadSeries();
  await loadPage();
  renderPlots();
}

async function selectRun(id: string, to?: string): Promise<void> {
  current = runs.find((r) => runId(r) === id);
  byId<HTMLSelectElement>('run-select').value = id;
  selected = undefined;
  byId('detail').hidden = true;
  Object.assign(query, { state: '', stage: '', metric: '', min: '', max: '', sort: 'number', desc: true, offset: 0 });
  byId<HTMLFormElement>('filters').reset();
  renderTitle();
  // the page first (one small query); the run's columns for plots and filters after it
  await loadPage();
  await loadSeries();
  renderTable();
  if (to) show(to);
  else if (view === 'plots') renderPlots();
  else if (view === 'importance') void renderImportance();
}

function show(name: string): void {
  view = name;
  for (const b of document.querySelectorAll<HTMLButtonElement>('#tabs button'))
    b.classList.toggle('active', b.dataset.view === name);
  for (const v of ['runs', 'trials', 'plots', 'importance']) byId(`view-${v}`).hidden = v !== name;
  if (name === 'plots') void loadSeries().then(renderPlots);
  if (name === 'importance') void renderImportance();
}

function wire(): void {
  for (const b of document.querySelectorAll<HTMLButtonElement>('#tabs button'))
    b.addEventListener('click', () => show(b.dataset.view ?? 'trials'));
  byId<HTMLSelectElement>('run-select').addEventListener(
    'change',
    (e) => void selectRun((e.target as HTMLSelectElement).value),
  );
  const form = byId<HTMLFormElement>('filters');
  form.addEventListener('submit', (e) => e.preventDefault());
  form.addEventListener('change', () => {
    const f = new FormData(form);
    query.state = String(f.get('state') ?? '');
    query.stage = String(f.get('stage') ?? '');
    query.metric = String(f.get('metric') ?? '');
    query.min = String(f.get('min') ?? '');
    query.max = String(f.get('max') ?? '');
    query.offset = 0;
    void loadPage();
  });
  byId('prev').addEventListener('click', () => {
    query.offset = Math.max(0, query.offset - PAGE);
    void loadPage();
  });
  byId('next').addEventListener('click', () => {
    if (query.offset + PAGE < total) query.offset += PAGE;
    void loadPage();
  });
  byId('log-y').addEventListener('change', () => renderPlots());
}

async function start(): Promise<void> {
  wire();
  connect();
  await loadRuns();
  if (current) await selectRun(runId(current));
  else renderTable();
  if (timings.firstPage === null) timings.firstPage = performance.now();
}

void start();
