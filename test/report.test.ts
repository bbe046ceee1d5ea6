// nas report: a self-contained HTML page and a Markdown summary, checked in real headless Chromium
// (Debian's chromium package): the page loads without console errors, every plot has data, and the
// page says what the run found. A full-page screenshot is saved under test-output/report/.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FIXTURES, NAS_BIN, ROOT, scratch } from './helpers/paths.js';
import { CHROMIUM, inspectPage } from './helpers/chromium.js';

const WF = join(FIXTURES, 'stages', 'digits-report.yaml');
const OUT = join(ROOT, 'test-output', 'report');
const dir = scratch('report');
const storePath = join(dir, 'store.sqlite');
const reportDir = join(OUT, 'html');

test('a two-stage digits run, then nas report writes report.html and report.md', () => {
  const run = spawnSync(process.execPath, [NAS_BIN, 'run', WF, '--store', storePath, '--json'], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  assert.is(run.status, 0, run.stderr);
  rmSync(reportDir, { recursive: true, force: true });
  const r = spawnSync(process.execPath, [NAS_BIN, 'report', '--store', storePath, '--out', reportDir, '--json'], {
    encoding: 'utf8',
  });
  assert.is(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { html: string; markdown: string; best: { number: number } };
  assert.ok(existsSync(out.html) && existsSync(out.markdown));
  const html = readFileSync(out.html, 'utf8');
  assert.not.match(html, /(src|href)\s*=\s*["']?(https?:)?\/\//i, 'self-contained: nothing loaded from elsewhere');
  assert.not.match(html, /<link\b/i);
  const md = readFileSync(out.markdown, 'utf8');
  assert.match(md, /^# NAS report: digits-report \(run 1\)/);
  assert.match(md, /## Best\n\nTrial #\d+ of stage `train`: \*\*accuracy = /);
  assert.match(md, /- lineage: train #\d+ ← screen #\d+/);
  assert.match(md, /\| screen \| random \| proxy \| naswot \(max\) \|/);
});

const PROBE = `(() => {
  const plots = [...document.querySelectorAll('svg.plot')].map((s) => {
    const box = s.getBoundingClientRect();
    return { id: s.dataset.plot, points: Number(s.dataset.points), marks: s.querySelectorAll('circle, rect[height]:not(.frame), path.series').length, width: box.width, height: box.height };
  });
  return {
    title: document.title,
    plots,
    best: document.getElementById('best')?.textContent ?? '',
    lineage: document.getElementById('lineage')?.textContent ?? '',
    stages: [...document.querySelectorAll('table tbody tr td:first-child')].map((td) => td.textContent),
    scripted: document.documentElement.getAttribute('data-plots'),
  };
})()`;

const chromiumTest = CHROMIUM ? test : process.env.CI ? test : test.skip;
if (!CHROMIUM) {
  console.log(
    process.env.CI
      ? 'report test: chromium is missing on CI (apt-get install -y chromium)'
      : 'report test: SKIPPED the browser check: no chromium (apt-get install -y chromium, or set CHROMIUM=path)',
  );
}

chromiumTest('the page loads in headless Chromium without console errors, and every plot has data', () => {
  assert.ok(CHROMIUM, 'chromium is required on CI: apt-get install -y chromium');
  const screenshot = join(OUT, 'report.png');
  rmSync(screenshot, { force: true });
  const r = inspectPage(pathToFileURL(join(reportDir, 'report.html')).href, screenshot, PROBE);
  assert.equal(r.errors, [], 'console errors');
  const v = r.value as {
    title: string;
    plots: { id: string; points: number; marks: number; width: number; height: number }[];
    best: string;
    lineage: string;
    stages: string[];
    scripted: string;
  };
  assert.is(v.title, 'NAS report: digits-report (run 1)');
  const ids = v.plots.map((p) => p.id);
  for (const id of [
    'best-vs-trials-naswot',
    'best-vs-time-naswot',
    'best-vs-trials-accuracy',
    'best-vs-time-accuracy',
    'tradeoff',
    'curves',
    'ops',
    'lineage',
  ]) {
    assert.ok(ids.includes(id), `plot ${id} missing (${ids.join(', ')})`);
  }
  for (const p of v.plots) {
    assert.ok(p.points > 0 && p.marks > 0, `plot ${p.id} is empty: ${JSON.stringify(p)}`);
    assert.ok(p.width > 100 && p.height > 100, `plot ${p.id} is not displayed: ${JSON.stringify(p)}`);
  }
  assert.is(v.scripted, String(v.plots.length), 'the inline script ran');
  assert.match(v.best, /^Trial #\d+ of stage train: accuracy 0\.\d+/);
  assert.match(v.lineage, /^Lineage: train #\d+ ← screen #\d+ \(seeded from\)$/);
  assert.equal(v.stages.slice(0, 2), ['screen', 'train']);
  const png = readFileSync(screenshot);
  assert.equal([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'a PNG');
  assert.ok(statSync(screenshot).size > 20_000, 'a screenshot with content');
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
