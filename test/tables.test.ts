// Snapshot tests of the aligned terminal tables of nas best | status | runs | compare, over a store
// built from test/fixtures/tables/store.json (fixed timestamps). The expected output is in
// test/fixtures/tables/*.txt; UPDATE_SNAPSHOTS=1 rewrites them (then read the diff).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../engine/cli/main.js';
import { archSummary, compact, metricText, sig, table } from '../engine/report/format.js';
import { FIXTURES, scratch } from './helpers/paths.js';
import { buildFixtureStore } from './helpers/fixture-store.js';
import type { Json } from '../engine/core/types.js';

const DIR = join(FIXTURES, 'tables');
const dir = scratch('tables');
const storePath = join(dir, 'store.sqlite');
buildFixtureStore(join(DIR, 'store.json'), storePath).close();

async function nas(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await main([...args, '--store', storePath], { stdout, stderr });
  return { code, out, err };
}

const SNAPSHOTS: [string, string[]][] = [
  ['best-top3', ['best', '1', '--top', '3']],
  ['best-pareto', ['best', '2']],
  ['status', ['status']],
  ['runs', ['runs']],
  ['compare', ['compare']],
];

for (const [name, args] of SNAPSHOTS) {
  test(`nas ${args.join(' ')} prints the table in ${name}.txt`, async () => {
    const r = await nas(args);
    assert.is(r.code, 0, r.err);
    const file = join(DIR, `${name}.txt`);
    if (process.env.UPDATE_SNAPSHOTS || !existsSync(file)) writeFileSync(file, r.out);
    assert.fixture(r.out, readFileSync(file, 'utf8'));
  });
}

test('--json keeps the full key and the exact values', async () => {
  const r = await nas(['best', '1', '--top', '1', '--json']);
  const [best] = JSON.parse(r.out) as { key: string; metrics: Record<string, number> }[];
  assert.is(best.metrics.accuracy, 0.9591666460037231);
  assert.is(best.metrics.params, 1218218);
  assert.match(best.key, /^conv2d\(.*filters=32.*\)>max_pool/);
});

test('numbers: 4 significant digits, counts as 12.7k / 1.22M', () => {
  assert.is(sig(0.9591666460037231), '0.9592');
  assert.is(sig(94.36), '94.36');
  assert.is(sig(0.000012345), '1.234e-5');
  assert.is(sig(null), '-');
  assert.is(compact(12710), '12.7k');
  assert.is(compact(1218218), '1.22M');
  assert.is(compact(950), '950');
  assert.is(metricText('params', 54986), '55k');
  assert.is(metricText('accuracy', 0.6125), '0.6125');
});

test('arch summaries: a cell by target node, a chain by layers, cut with an ellipsis', () => {
  const cell = { ops: ['nor_conv_3x3', 'nor_conv_1x1', 'none', 'skip_connect', 'avg_pool_3x3', 'nor_conv_3x3'] };
  assert.is(archSummary(cell), 'c3 | c1 none | skip avg c3');
  const chain: Json = {
    layers: [
      { type: 'conv2d', filters: 16, kernel: 3 },
      { type: 'dense', units: 64 },
    ],
    hyper: { learning_rate: 0.001 },
  };
  assert.is(archSummary(chain), 'conv16k3 > dense64 lr=0.001');
  assert.is(archSummary(chain, 10), 'conv16k3 …');
});

test('tables right-align numeric columns and leave no trailing spaces', () => {
  assert.equal(
    table(
      ['name', 'value'],
      [
        ['a', '1.5'],
        ['long name', '12.7k'],
      ],
    ),
    ['name       value', 'a            1.5', 'long name  12.7k'],
  );
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
