// nas dashboard in headless Chromium: the dashboard starts on a port the system picks, a small
// search runs into the same store, and new trials appear without a reload (SSE); the table sorts,
// filters and downloads a CSV that matches the store; no console errors; screenshots under
// test-output/dashboard/.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { FIXTURES, NAS_BIN, ROOT, scratch } from './helpers/paths.js';
import { CHROMIUM } from './helpers/chromium.js';
import { openPage, startDashboardProcess, type BrowserPage, type RunningDashboard } from './helpers/dashboard.js';
import { Store } from '../engine/store/store.js';

const OUT = join(ROOT, 'test-output', 'dashboard');
const dir = scratch('dashboard');
const storePath = join(dir, 'live.sqlite');
const chromiumTest = CHROMIUM ? test : process.env.CI ? test : test.skip;
if (!CHROMIUM) console.log('dashboard test: SKIPPED: no chromium (apt-get install -y chromium, or set CHROMIUM=path)');

let dash: RunningDashboard | undefined;
let b: BrowserPage | undefined;

const rowCount = (p: BrowserPage) => p.page.locator('#trials-table tbody tr').count();

chromiumTest('trials of a search running into the store appear live, without a reload', async () => {
  mkdirSync(OUT, { recursive: true });
  Store.open(storePath).close(); // an empty store: the dashboard starts before the run
  dash = await startDashboardProcess(['--store', storePath]);
  assert.match(dash.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  b = await openPage(dash.url);
  await b.page.waitForSelector('#live.on');
  const run = spawn(
    process.execPath,
    [NAS_BIN, 'run', join(FIXTURES, 'dashboard', 'live.yaml'), '--store', storePath],
    {
      stdio: 'ignore',
    },
  );
  const finished = new Promise<number | null>((r) => run.on('exit', r));
  // trials arrive while the search runs: the table grows on the same page
  await b.page.waitForFunction(() => document.querySelectorAll('#trials-table tbody tr').length >= 4, null, {
    timeout: 60_000,
  });
  const during = await rowCount(b);
  await b.page.screenshot({ path: join(OUT, 'live-during-run.png') });
  assert.is(await finished, 0, 'the search completes');
  await b.page.waitForFunction(() => document.getElementById('count')?.textContent === '24 trials match', null, {
    timeout: 30_000,
  });
  assert.ok(during < 24, `the page showed the run part-way (${during} rows) before it ended`);
  const nav = await b.page.evaluate(() => ({
    navigations: performance.getEntriesByType('navigation').length,
    sse: (window as unknown as { __nas: { timings: { sse: unknown[] } } }).__nas.timings.sse.length,
  }));
  assert.is(nav.navigations, 1, 'never reloaded');
  assert.ok(nav.sse > 0, 'updates came by SSE');
  await b.page.waitForFunction(() =>
    /: complete, 24\/24 trials/.test(document.getElementById('run-title')?.textContent ?? ''),
  );
});

/** Values of a column of the table (the cell's title holds the exact metric). */
async function column(p: BrowserPage, sort: string): Promise<number[]> {
  return p.page.evaluate((key) => {
    const th = [...document.querySelectorAll('#trials-table th')];
    const i = th.findIndex((h) => h.getAttribute('data-sort') === key);
    return [...document.querySelectorAll('#trials-table tbody tr')].map((tr) =>
      Number(tr.children[i].getAttribute('title') ?? tr.children[i].textContent),
    );
  }, sort);
}

chromiumTest(
  'the table sorts by a metric, filters by state and metric range, and its CSV matches the store',
  async () => {
    assert.ok(b);
    const p = b!;
    await p.page.click('#trials-table th[data-sort="metric:accuracy"]');
    await p.page.waitForSelector('#trials-table th[data-sort="metric:accuracy"]:text("▼")');
    const desc = await column(p, 'metric:accuracy');
    assert.equal(
      desc,
      [...desc].sort((x, y) => y - x),
      'sorted high to low',
    );
    await p.page.click('#trials-table th[data-sort="metric:accuracy"]');
    await p.page.waitForSelector('#trials-table th[data-sort="metric:accuracy"]:text("▲")');
    const asc = await column(p, 'metric:accuracy');
    assert.equal(
      asc,
      [...asc].sort((x, y) => x - y),
      'sorted low to high',
    );

    const db = new Database(storePath, { readonly: true });
    const all = db.prepare('SELECT number, state, metrics FROM trials WHERE run_id = 1 ORDER BY number').all() as {
      number: number;
      state: string;
      metrics: string;
    }[];
    db.close();
    const acc = all
      .map((t) => (JSON.parse(t.metrics) as Record<string, number>).accuracy)
      .filter((v) => v !== undefined)
      .sort((x, y) => x - y);
    const min = acc[Math.floor(acc.length / 2)];
    await p.page.selectOption('#filters select[name=state]', 'complete');
    await p.page.selectOption('#filters select[name=metric]', 'accuracy');
    await p.page.fill('#filters input[name=min]', String(min));
    await p.page.locator('#filters input[name=min]').dispatchEvent('change');
    const expected = all.filter(
      (t) => t.state === 'complete' && (JSON.parse(t.metrics) as { accuracy: number }).accuracy >= min,
    );
    await p.page.waitForFunction(
      (n) => document.getElementById('count')?.textContent === `${n} trials match`,
      expected.length,
    );
    const shown = await column(p, 'metric:accuracy');
    assert.is(shown.length, expected.length);
    assert.ok(
      shown.every((v) => v >= min),
      'every row in range',
    );
    await p.page.screenshot({ path: join(OUT, 'trials-filtered.png') });

    const [download] = await Promise.all([p.page.waitForEvent('download'), p.page.click('#csv')]);
    const csv = readFileSync((await download.path())!, 'utf8')
      .trim()
      .split(/\r\n/);
    const header = csv[0].split(',');
    const rows = csv.slice(1).map((l) => l.split(','));
    const col = (name: string) => header.indexOf(name);
    assert.equal(
      rows.map((r) => Number(r[col('number')])).sort((x, y) => x - y),
      expected.map((t) => t.number),
      'the CSV has the filtered trials',
    );
    for (const r of rows) {
      const t = all.find((x) => x.number === Number(r[col('number')]))!;
      assert.is(r[col('state')], t.state);
      assert.is(Number(r[col('accuracy')]), (JSON.parse(t.metrics) as { accuracy: number }).accuracy, 'exact values');
    }
  },
);

chromiumTest(
  'a trial opens with its arch, curve, info and lineage; every view renders; no console errors',
  async () => {
    const p = b!;
    await p.page.click('#trials-table tbody tr:first-child');
    await p.page.waitForSelector('#detail:not([hidden])');
    assert.match((await p.page.locator('#detail-arch').textContent()) ?? '', /^\|.*~0\|/);
    assert.ok((await p.page.locator('#detail-lineage li').count()) >= 1);
    await p.page.screenshot({ path: join(OUT, 'trial-detail.png') });
    await p.page.click('nav button[data-view=plots]');
    await p.page.waitForSelector('#plot-best-trials .uplot');
    await p.page.waitForSelector('#plot-curves .uplot, #plot-curves .empty');
    await p.page.screenshot({ path: join(OUT, 'plots.png'), fullPage: true });
    await p.page.click('nav button[data-view=importance]');
    await p.page.waitForSelector('#importance-bars .bar');
    assert.is(await p.page.locator('#importance-bars .bar').count(), 6, 'one bar per edge');
    await p.page.screenshot({ path: join(OUT, 'importance.png'), fullPage: true });
    await p.page.click('nav button[data-view=runs]');
    await p.page.click('#runs-table tbody tr:first-child input');
    await p.page.waitForSelector('#compare-plot .uplot');
    await p.page.screenshot({ path: join(OUT, 'runs.png') });
    assert.equal(p.errors, [], 'console errors');
  },
);

test.after(async () => {
  await b?.browser.close();
  await dash?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test.run();
