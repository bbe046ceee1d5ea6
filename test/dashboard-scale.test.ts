// The dashboard with 20,000 trials: the first page comes from a paged query (not every trial), an
// SSE update changes the page in place, paging works. The browser measures the first render and the
// update and the test prints them (timings are reported, not asserted: the machine is shared;
// `npm run bench -- dashboard` gives the same figures as JSON lines).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, scratch } from './helpers/paths.js';
import { CHROMIUM } from './helpers/chromium.js';
import { measureDashboard } from './helpers/dashboard-scale.js';

const dir = scratch('dashboard-scale');
const chromiumTest = CHROMIUM ? test : process.env.CI ? test : test.skip;

chromiumTest('20,000 trials: first page, an SSE update, paging', async () => {
  const m = await measureDashboard(
    join(dir, 'big.sqlite'),
    20_000,
    join(ROOT, 'test-output', 'dashboard', 'scale-plots.png'),
  );
  console.log(
    JSON.stringify({
      trials: 20_000,
      first_page_ms: Math.round(m.firstPageMs),
      sse_handling_ms: Math.round(m.sseHandlingMs),
      sse_store_to_screen_ms: Math.round(m.sseEndToEndMs),
      sse_sorted_by_metric_ms: Math.round(m.sseSortedHandlingMs),
      plots_ms: m.plotsMs,
    }),
  );
  assert.is(m.countText, '20000 trials match');
  assert.is(m.rowsOnPage, 100, 'one page of rows in the DOM, not 20,000');
  assert.is(m.newTopRow, '20001', 'the new trial is at the top after the update');
  assert.is(m.countAfter, '20001 trials match');
  assert.is(m.sortedTopRow, '20002', 'sorted by accuracy, the new best trial comes to the top');
  assert.is(m.secondPage, '101–200 of 20002');
  assert.is(m.navigations, 1, 'no reload');
  assert.equal(m.curves, { best: 15, pruned: 15 }, 'learning curves of the best trials and pruned ones');
  assert.equal(m.errors, []);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
