// The dashboard's security: strings from the store render as text (a workflow named
// <script>alert(1)</script>, markup in an error message); a non-loopback bind without a token refuses
// to start; with a token, a request without it gets 401; nothing but GET and HEAD is accepted.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { NAS_BIN, ROOT, scratch } from './helpers/paths.js';
import { CHROMIUM } from './helpers/chromium.js';
import { openPage, startDashboardProcess } from './helpers/dashboard.js';
import { Store } from '../engine/store/store.js';
import { loadWorkflow } from '../engine/workflow/index.js';
import type { JsonObject } from '../engine/core/types.js';

const dir = scratch('dashboard-security');
const storePath = join(dir, 'evil.sqlite');
const NAME = '<script>alert(1)</script>';
const ERROR = '<img src=x onerror="alert(2)"> worker crashed & "quoted"';

{
  // a run whose workflow name and error message are markup (written straight into the store: the
  // workflow schema would not accept such a name, but a store is data from wherever)
  const wf = { ...loadWorkflow(join(ROOT, 'workflows', 'nb201-random.yaml')), name: NAME };
  const store = Store.open(storePath);
  const id = store.createRun({
    name: NAME,
    workflowFile: 'x.yaml',
    workflowText: '',
    workflowHash: 'x',
    config: wf as unknown as JsonObject,
  });
  const arch = { ops: ['none', 'none', 'none', 'none', 'none', 'none'] };
  store.insertTrial(id, '', {
    number: 1,
    key: '|none~0|+|none~0|none~1|+|none~0|none~1|none~2|',
    arch,
    state: 'failed',
    metrics: {},
    seed: 1,
    attempts: 1,
    startedAt: Date.now(),
    finishedAt: Date.now(),
    error: ERROR,
  });
  store.setRunStatus(id, 'failed', ERROR);
  store.close();
}

const chromiumTest = CHROMIUM ? test : process.env.CI ? test : test.skip;

chromiumTest('a workflow named <script>alert(1)</script> and markup in an error render as text', async () => {
  const dash = await startDashboardProcess(['--store', storePath]);
  const b = await openPage(dash.url);
  try {
    await b.page.waitForSelector('#trials-table tbody tr');
    assert.match((await b.page.locator('#run-title').textContent()) ?? '', NAME);
    assert.ok(((await b.page.locator('#run-select option').first().textContent()) ?? '').includes(NAME));
    await b.page.click('#trials-table tbody tr');
    await b.page.waitForSelector('#detail-error:not([hidden])');
    assert.is(await b.page.locator('#detail-error').textContent(), ERROR);
    await b.page.click('nav button[data-view=runs]');
    assert.ok(((await b.page.locator('#runs-table').textContent()) ?? '').includes(NAME));
    const injected = await b.page.evaluate(() => ({
      scripts: [...document.scripts].map((s) => s.getAttribute('src')),
      images: document.images.length,
    }));
    assert.equal(injected.scripts, ['/vendor/uPlot.iife.min.js', '/app.js'], 'no script element from the store');
    assert.is(injected.images, 0, 'no element from the error message');
    assert.equal(b.dialogs, [], 'nothing ran');
    assert.equal(b.errors, []);
  } finally {
    await b.browser.close();
    await dash.stop();
  }
});

test('a non-loopback bind without a token refuses to start', () => {
  const env = { ...process.env };
  delete env.NAS_DASHBOARD_TOKEN;
  const r = spawnSync(
    process.execPath,
    [NAS_BIN, 'dashboard', '--store', storePath, '--host', '0.0.0.0', '--port', '0'],
    {
      encoding: 'utf8',
      env,
      timeout: 30_000,
    },
  );
  assert.is(r.status, 2, r.stderr);
  assert.match(r.stderr, /^nas: --host 0\.0\.0\.0 is not loopback: .*NAS_DASHBOARD_TOKEN or add --new-token\n$/);
  assert.is(r.stdout, '', 'nothing served');
});

test('with a token: 401 without it, the page with it (header, or ?token= once, then a cookie); read-only', async () => {
  const token = 'test-token-0123456789';
  const dash = await startDashboardProcess(['--store', storePath, '--host', '0.0.0.0'], {
    NAS_DASHBOARD_TOKEN: token,
  });
  try {
    const base = dash.url.replace('0.0.0.0', '127.0.0.1').replace(/\?.*$/, '');
    for (const path of ['', 'api/runs', 'api/trials.csv?run=1', 'events', 'app.js']) {
      const r = await fetch(base + path);
      assert.is(r.status, 401, `${path} without the token`);
      await r.body?.cancel();
    }
    const wrong = await fetch(`${base}api/runs`, { headers: { Authorization: 'Bearer nope' } });
    assert.is(wrong.status, 401, 'a wrong token');
    const ok = await fetch(`${base}api/runs`, { headers: { Authorization: `Bearer ${token}` } });
    assert.is(ok.status, 200);
    assert.is(((await ok.json()) as { name: string }[])[0].name, NAME);
    const first = await fetch(`${base}?token=${token}`, { redirect: 'manual' });
    assert.is(first.status, 303, 'the token leaves the address bar');
    const cookie = first.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^nas_token=.*; HttpOnly; SameSite=Strict/);
    const page = await fetch(base, { headers: { Cookie: cookie.split(';')[0] } });
    assert.is(page.status, 200);
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    const post = await fetch(`${base}api/runs`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    assert.is(post.status, 405, 'no write actions');
  } finally {
    await dash.stop();
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
