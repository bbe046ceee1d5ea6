// nas reproduce end to end (the CLI in a child process): exit 0 on a run just made; exit 1 naming the
// dataset when its file was edited in between; exit 1 with the first differing trial when the store's
// metrics were tampered with. nas status shows what the run recorded.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { FIXTURES, NAS_BIN, ROOT, scratch } from './helpers/paths.js';

const nas = (args: string[], cwd: string) =>
  spawnSync(process.execPath, [NAS_BIN, ...args], { cwd, encoding: 'utf8', timeout: 300_000 });
const dir = scratch('reproduce');
const DATA = join(dir, 'digits.csv');

test.before(() => {
  // the repro fixture on a csv copy of digits (a dataset file the test may edit), 6 trials
  copyFileSync(join(ROOT, 'engine', 'training', 'data', 'digits.csv'), DATA);
  const text = readFileSync(join(FIXTURES, 'repro', 'digits.yaml'), 'utf8')
    .replace(/^dataset: .*$/m, 'dataset: { source: csv:digits.csv, limit: 400, split: { validation: 0.25 } }')
    .replace(/^budget: .*$/m, 'budget: { trials: 6 }');
  writeFileSync(join(dir, 'w.yaml'), text);
  const r = nas(['run', 'w.yaml', '--store', 's.sqlite'], dir);
  assert.is(r.status, 0, r.stderr);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('nas status shows the recorded inputs and environment', () => {
  const r = nas(['status', '--store', 's.sqlite'], dir);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^ {2}workflow: \S*w\.yaml \(sha256 [0-9a-f]{12}\)$/m);
  assert.match(r.stdout, /^ {2}dataset: \S*digits\.csv \(sha256 [0-9a-f]{12}\)$/m);
  assert.match(r.stdout, /environment: nas \S+, @tensorflow\/tfjs 4\.\S+,.* backend auto \(wasm\), node v\d+/);
  assert.match(r.stdout, /trial backends: wasm \(6 trials\)/);
});

test('nas reproduce: exit 0 on a run just made', () => {
  const r = nas(['reproduce', '--store', 's.sqlite', '--out', 'again.sqlite'], dir);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /reproduced run 1: 6 trial\(s\) identical/);
});

test('nas reproduce --first 3 compares only the first 3 trials', () => {
  const r = nas(['reproduce', '--store', 's.sqlite', '--out', 'first.sqlite', '--first', '3'], dir);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /reproduced run 1: 3 trial\(s\) identical/);
});

test('nas reproduce: exit 1 with the first differing trial when a metric was tampered with', () => {
  copyFileSync(join(dir, 's.sqlite'), join(dir, 't.sqlite'));
  const db = new Database(join(dir, 't.sqlite'));
  const row = db.prepare('SELECT metrics FROM trials WHERE run_id = 1 AND number = 4').get() as { metrics: string };
  const m = JSON.parse(row.metrics) as Record<string, number>;
  const tampered = m.accuracy + 0.01;
  db.prepare('UPDATE trials SET metrics = ? WHERE run_id = 1 AND number = 4').run(
    JSON.stringify({ ...m, accuracy: tampered }),
  );
  db.close();
  const r = nas(['reproduce', '--store', 't.sqlite', '--out', 't2.sqlite'], dir);
  assert.is(r.status, 1, r.stdout);
  assert.match(r.stderr, /^nas reproduce: trial 4 differs from run 1:$/m);
  assert.match(r.stderr, new RegExp(`^ {2}accuracy ${tampered} recorded, ${m.accuracy} now$`, 'm'));
  assert.match(r.stderr, /3 trial\(s\) before it identical/);
});

test('nas reproduce: exit 1 naming the dataset when its file was edited in between', () => {
  appendFileSync(DATA, readFileSync(DATA, 'utf8').split('\n')[1] + '\n'); // one more row
  const r = nas(['reproduce', '--store', 's.sqlite', '--out', 'edited.sqlite'], dir);
  assert.is(r.status, 1, r.stdout);
  assert.match(r.stderr, /^ {2}dataset \S*digits\.csv changed \(sha256 [0-9a-f]{12} recorded, [0-9a-f]{12} now\)$/m);
});

test.run();
