// dataset.split.test: the held-out rows never reach a training or validation batch of the search, and
// the top trials are evaluated once on them at the end (store, summary, nas best, report).
//
// The proof poisons the test rows: a copy of the regression fixture whose held-out rows have x1 = 1e6.
// The split depends only on the targets and the seeds, so the poisoned copy splits the same way. Had a
// poisoned row reached a training batch, its scaling (fitted on the training part) would crush x1 and no
// trial could fit y = 3 x1 - ...; had one reached a validation batch, the validation rmse would be huge.
// The end-of-run test rmse is huge, so the test evaluation did use exactly those rows.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { deriveSeed } from '../engine/core/rng.js';
import { clearDatasetCache, loadDataset, splitDataset } from '../engine/training/datasets/index.js';
import { searchRows, splitParts } from '../engine/training/datasets/prepare.js';
import { loadWorkflow } from '../engine/workflow/index.js';
import { Store } from '../engine/store/store.js';
import { startRun } from '../engine/search/run.js';
import { bestCommand } from '../engine/cli/inspect.js';
import { exportCommand } from '../engine/cli/export.js';
import { collectReport, renderMarkdown } from '../engine/report/index.js';
import type { DatasetConfig } from '../engine/core/workflow.js';
import { FIXTURES, scratch } from './helpers/paths.js';

const POISON = 1e6;

function capture(): { io: { stdout: PassThrough; stderr: PassThrough }; text: () => string } {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  return { io: { stdout: out, stderr: out }, text: () => text };
}

test('iris: test rows are a stratified fraction of the whole, apart from train and validation', () => {
  clearDatasetCache();
  const cfg: DatasetConfig = { source: 'builtin:iris', label: 'label', split: { validation: 0.2, test: 0.2 } };
  const parts = splitParts(cfg, undefined, 7);
  assert.equal([parts.train.n, parts.validation.n, parts.test!.n], [90, 30, 30]);
  const perClass = (y: Int32Array) => [0, 1, 2].map((k) => y.filter((c) => c === k).length);
  assert.equal(perClass(parts.test!.y), [10, 10, 10]);
  assert.is(searchRows(cfg, undefined, 7).n, 120);
});

test('without split.test the split is the one it always was', () => {
  const cfg: DatasetConfig = { source: 'builtin:iris', label: 'label', split: { validation: 0.3 } };
  const parts = splitParts(cfg, undefined, 5);
  const before = splitDataset(loadDataset(cfg, undefined, { seed: 5 }), 0.3, deriveSeed(5, 'dataset.split'));
  assert.equal(Array.from(parts.validation.x), Array.from(before.validation.x));
  assert.equal(Array.from(parts.train.y), Array.from(before.train.y));
  assert.is(parts.test, undefined);
});

test('no test row reaches a training or validation batch; the top trials are tested once at the end', async () => {
  const dir = scratch('test-split');
  try {
    clearDatasetCache();
    const base = loadWorkflow(join(FIXTURES, 'train', 'linear-regression.yaml'));
    const dataset: DatasetConfig = { ...base.dataset!, split: { validation: 0.25, test: 0.2 } };
    const dataSeed = deriveSeed(base.seed, 'dataset');
    // the rows the search may see, by their feature values; every other row is held out
    const seen = searchRows(dataset, undefined, dataSeed);
    const keyOf = (cells: number[]) => cells.map((v) => Math.fround(v)).join(',');
    const allowed = new Set<string>();
    for (let i = 0; i < seen.n; i++) allowed.add(keyOf(Array.from(seen.x.subarray(i * 3, i * 3 + 3))));
    const lines = readFileSync(join(FIXTURES, 'data', 'linear-target.csv'), 'utf8')
      .trim()
      .split('\n');
    let held = 0;
    const poisoned = lines.map((l, i) => {
      if (i === 0) return l;
      const cells = l.split(',');
      if (allowed.has(keyOf(cells.slice(0, 3).map(Number)))) return l;
      held++;
      return [String(POISON), ...cells.slice(1)].join(',');
    });
    // 5 target strata of 48 rows, round(48 x 0.2) = 10 held out of each
    assert.is(held, 50);
    assert.is(held, lines.length - 1 - seen.n, 'every held-out row (and only those) poisoned');
    const file = join(dir, 'poisoned.csv');
    writeFileSync(file, poisoned.join('\n') + '\n');

    const wf = { ...base, dataset: { ...dataset, source: `csv:${file}` } };
    const store = Store.open(join(dir, 's.sqlite'));
    const summary = await startRun(store, wf);
    assert.is(summary.status, 'complete', summary.reason);
    const trials = store.trials(summary.run, '').filter((t) => t.state === 'complete');
    for (const t of trials) assert.ok(t.metrics.rmse < 100, `trial ${t.number}: validation rmse ${t.metrics.rmse}`);
    const best = summary.best!;
    assert.ok(best.metrics.rmse < 0.5, `x1 kept its scale: best validation rmse ${best.metrics.rmse}`);
    assert.ok(best.test, 'the best trial was tested');
    assert.equal(Object.keys(best.test!).sort(), ['loss', 'mae', 'mse', 'r2', 'rmse']);
    assert.ok(best.test!.rmse > 1e4, `the test rows are the poisoned ones: test rmse ${best.test!.rmse}`);
    const tested = store.testResults(summary.run, '');
    assert.is(tested.size, Math.min(3, trials.length), 'the kept models (keep_models: 3) are tested');

    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    bestCommand(
      String(summary.run),
      { store: join(dir, 's.sqlite'), top: 2, json: true },
      { stdout: out, stderr: out },
    );
    const rows = JSON.parse(text) as { number: number; metrics: { rmse: number }; test?: { rmse: number } }[];
    assert.is(rows[0].number, best.number);
    assert.is(rows[0].test?.rmse, best.test!.rmse, 'nas best --json shows test beside validation');

    const ex = capture();
    exportCommand({ store: join(dir, 's.sqlite'), out: join(dir, 'exported') }, ex.io, dir);
    const arch = JSON.parse(readFileSync(join(dir, 'exported', 'arch.json'), 'utf8')) as {
      task: string;
      test: { rmse: number };
      target_scaling: { mean: number };
    };
    assert.is(arch.task, 'regression');
    assert.is(arch.test.rmse, best.test!.rmse, 'nas export keeps the test figures');
    assert.ok(Math.abs(arch.target_scaling.mean - 10) < 0.5);

    const run = store.getRun(summary.run)!;
    const md = renderMarkdown(collectReport(store, run));
    assert.match(md, /## Held-out test split/);
    assert.match(md, /rmse \(validation \/ test\)/);
    store.close();

    // evaluated once: a resumed, already complete run does not test again (INSERT OR IGNORE keeps the first)
    const again = Store.open(join(dir, 's.sqlite'));
    again.insertTestResult(summary.run, '', best.number, { rmse: -1 });
    assert.is(again.testResults(summary.run, '').get(best.number)?.rmse, best.test!.rmse);
    again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
