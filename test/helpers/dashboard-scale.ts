// Opens the dashboard on a store of N trials, measures in the browser the first page render and the
// handling of one SSE update (a trial written to the store while the page is open).

import { Rng } from '../../engine/core/rng.js';
import { startDashboard } from '../../engine/report/dashboard/server.js';
import { buildBigStore } from './big-store.js';
import { openPage } from './dashboard.js';

export interface ScaleMeasure {
  firstPageMs: number;
  sseHandlingMs: number;
  sseEndToEndMs: number;
  /** The same with the table sorted by a metric: the page is queried again on the server. */
  sseSortedHandlingMs: number;
  sortedTopRow: string | null;
  countText: string | null;
  rowsOnPage: number;
  newTopRow: string | null;
  countAfter: string | null;
  secondPage: string | null;
  navigations: number;
  /** Plots tab: ms from the click to every plot drawn; learning curves shown (best and pruned). */
  plotsMs: number;
  curves: { best: number; pruned: number };
  errors: string[];
}

type Timings = { firstPage: number | null; sse: { received: number; rendered: number; wall: number }[] };

export async function measureDashboard(path: string, n: number, screenshot?: string): Promise<ScaleMeasure> {
  const { store, run, space } = buildBigStore(path, n);
  const dash = await startDashboard({ stores: [path] });
  const b = await openPage(dash.url);
  try {
    const timings = () => b.page.evaluate(() => (window as unknown as { __nas: { timings: Timings } }).__nas.timings);
    /** Writes trial n + k while the page is open, waits for the page's k-th SSE update; the write's time. */
    const writeTrial = async (k: number, accuracy: number): Promise<number> => {
      const arch = space.sample(new Rng(100 - k));
      const at = Date.now();
      store.insertTrial(run, '', {
        number: n + k,
        key: `new${k}:${space.key(arch)}`,
        arch,
        state: 'complete',
        metrics: { accuracy, loss: +(1 - accuracy).toFixed(3), params: 12_700 },
        seed: k,
        attempts: 1,
        startedAt: at,
        finishedAt: at,
      });
      await b.page.waitForFunction(
        (count) => (window as unknown as { __nas: { timings: Timings } }).__nas.timings.sse.length >= count,
        k,
        { timeout: 10_000 },
      );
      return at;
    };
    await b.page.waitForFunction(() => document.getElementById('count')?.textContent?.endsWith('trials match'));
    await b.page.waitForSelector('#live.on');
    const first = await timings();
    const countText = await b.page.locator('#count').textContent();
    const rowsOnPage = await b.page.locator('#trials-table tbody tr').count();
    // a new trial, written by another connection as a run would
    const written = await writeTrial(1, 0.99);
    const after = await timings();
    const sse = after.sse[0];
    const newTopRow = await b.page.locator('#trials-table tbody tr:first-child td:first-child').textContent();
    const countAfter = await b.page.locator('#count').textContent();
    // sorted by accuracy, high to low: the new, better trial must come to the top via the server
    await b.page.click('#trials-table th[data-sort="metric:accuracy"]');
    await b.page.waitForSelector('#trials-table th[data-sort="metric:accuracy"]:text("▼")');
    await writeTrial(2, 0.999);
    const sorted = (await timings()).sse[1];
    const sortedTopRow = await b.page.locator('#trials-table tbody tr:first-child td:first-child').textContent();
    await b.page.click('#next');
    await b.page.waitForFunction(() => document.getElementById('page-info')?.textContent?.startsWith('101–200'));
    const secondPage = await b.page.locator('#page-info').textContent();
    const navigations = await b.page.evaluate(() => performance.getEntriesByType('navigation').length);
    const t0 = Date.now();
    await b.page.click('nav button[data-view=plots]');
    await b.page.waitForSelector('#plot-best-trials .uplot');
    await b.page.waitForSelector('#plot-curves .uplot');
    await b.page.waitForSelector('#plot-pareto .uplot');
    const plotsMs = Date.now() - t0;
    const curves = await b.page.evaluate(async () => {
      const r = (await (await fetch('/api/curves?store=0&run=1&limit=15')).json()) as {
        best: unknown[];
        pruned: unknown[];
      };
      return { best: r.best.length, pruned: r.pruned.length };
    });
    if (screenshot) await b.page.screenshot({ path: screenshot, fullPage: true });
    return {
      firstPageMs: first.firstPage ?? NaN,
      sseHandlingMs: sse.rendered - sse.received,
      sseEndToEndMs: sse.wall - written,
      sseSortedHandlingMs: sorted.rendered - sorted.received,
      sortedTopRow,
      countText,
      rowsOnPage,
      newTopRow,
      countAfter,
      secondPage,
      navigations,
      plotsMs,
      curves,
      errors: b.errors,
    };
  } finally {
    await b.browser.close();
    await dash.close();
    store.close();
  }
}
