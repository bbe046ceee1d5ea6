// A 1,000,000-row CSV (about 60 MB, generated here) trains: parsed as a stream, split without
// spreading 640k indices onto the call stack, within a memory bound asserted on the whole process.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, scratch } from './helpers/paths.js';
import { lcg } from './helpers/random.js';
import { CsvTable, tableFromCsv } from '../engine/training/datasets/csv.js';

const ROWS = 1_000_000;
const MEMORY_BOUND_MB = 1024;

function writeCsv(file: string): void {
  const rand = lcg(7);
  const fd = openSync(file, 'w');
  let s = 'f1,f2,f3,f4,f5,f6,f7,f8,label\n';
  for (let i = 0; i < ROWS; i++) {
    const c = i % 5 === 0 ? 1 : 0; // 800,000 rows of class 0: 640,000 of them go to training
    for (let j = 0; j < 8; j++) s += `${(rand() + c * (j % 2)).toFixed(4)},`;
    s += `c${c}\n`;
    if (s.length > 1 << 20) {
      writeSync(fd, s);
      s = '';
    }
  }
  writeSync(fd, s);
  closeSync(fd);
}

test('a 1,000,000-row CSV trains within 1 GB of memory', () => {
  const dir = scratch('big-csv');
  const csv = join(dir, 'big.csv');
  writeCsv(csv);
  assert.ok(statSync(csv).size > 50e6, `${statSync(csv).size} bytes`);
  writeFileSync(
    join(dir, 'w.yaml'),
    [
      'name: big-csv',
      'dataset: { source: "csv:big.csv", split: { validation: 0.2 } }',
      'space: { kind: chain, input: [8], layers: { min: 1, max: 1, choose: { dense: { units: [8] } } } }',
      'strategy: { type: random }',
      'evaluation: { type: train, epochs: 1, batch_size: 1024 }',
      'budget: { trials: 1, failures: 0 }',
      'parallel: 1',
    ].join('\n'),
  );
  const r = spawnSync(
    process.execPath,
    [
      join(ROOT, 'dist', 'test', 'helpers', 'rss-main.js'),
      'run',
      join(dir, 'w.yaml'),
      '--store',
      join(dir, 's.sqlite'),
      '--json',
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  assert.is(r.status, 0, r.stderr.slice(-1000));
  const out = JSON.parse(r.stdout.trim().split('\n').pop() as string) as {
    status: string;
    trials: number;
    failed: number;
  };
  assert.is(out.status, 'complete');
  assert.is(out.failed, 0);
  const rss = Number(/maxrss_kb=(\d+)/.exec(r.stderr)?.[1]);
  assert.ok(rss > 0 && rss / 1024 < MEMORY_BOUND_MB, `peak memory ${(rss / 1024).toFixed(0)} MB`);
});

test('CSV parsed in chunks of any size gives the table parsed whole (quotes and CRLF across chunk edges)', () => {
  const text = '\ufeffa,"b ""q""",label\r\n1,2,x\r\n"3","4","y,z"\n\n5,6,"x"\r\n';
  const whole = tableFromCsv(text, 'f.csv', 'label');
  for (const size of [1, 2, 3, 7]) {
    const t = new CsvTable('f.csv', 'label');
    for (let i = 0; i < text.length; i += size) t.push(text.slice(i, i + size));
    const parts = t.end();
    assert.equal(Array.from(parts.x), Array.from(whole.x), `chunks of ${size}`);
    assert.equal(parts.labels, whole.labels);
    assert.equal(parts.featureNames, ['a', 'b "q"']);
  }
  assert.equal(whole.labels, ['x', 'y,z', 'x']);
  assert.equal(Array.from(whole.x), [1, 2, 3, 4, 5, 6]);
});

test('a CSV larger than the memory budget fails with one clear error', () => {
  const t = new CsvTable('f.csv', 'label', 64);
  t.push('a,b,label\n');
  assert.throws(() => {
    for (let i = 0; i < 100; i++) t.push(`${i},${i},x\n`);
  }, /f\.csv: more than \d+ rows of 2 features do not fit the dataset memory budget/);
});

test.run();
