// How a run that finished reports itself: every trial failed -> `failed` with the most common error
// and exit 1; some failed -> the summary says how many; resume is suggested only where it can help.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, scratch } from './helpers/paths.js';
import { nas } from './helpers/cli.js';

test('a run in which every trial failed ends failed with the most common error and exits 1', async () => {
  const dir = scratch('run-status');
  // the table knows both ops (validation passes) but only a 4-node cell: every 3-node candidate fails
  writeFileSync(
    join(dir, 'none.csv'),
    'arch,accuracy_col\n|skip_connect~0|+|nor_conv_3x3~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|,1\n',
  );
  writeFileSync(
    join(dir, 'w.yaml'),
    [
      'name: all-fail',
      'space: { kind: cell, nodes: 3, ops: [skip_connect, nor_conv_3x3] }',
      'strategy: { type: random }',
      'evaluation: { type: benchmark, table: none.csv, metric: accuracy_col }',
      'budget: { trials: 5, failures: 10 }',
    ].join('\n'),
  );
  const r = await nas(['run', join(dir, 'w.yaml'), '--store', join(dir, 's.sqlite')]);
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /run 1: failed \(every trial failed \(5\); the most common error \(5 of them\): .*not in/);
  assert.not.match(r.stdout, /nas resume/, 'resume cannot fix a run whose every trial failed');
  const json = await nas(['status', '--store', join(dir, 's.sqlite'), '--json']);
  assert.is(JSON.parse(json.stdout)[0].status, 'failed');
});

test('a run in which some trials failed says how many', async () => {
  const dir = scratch('run-status');
  for (const f of ['tiny-partial.yaml', 'tiny-cell-partial.csv'])
    copyFileSync(join(FIXTURES, 'engine', f), join(dir, f));
  mkdirSync(join(dir, 'runs'), { recursive: true });
  const wf = join(dir, 'tiny-partial.yaml');
  writeFileSync(wf, (await import('node:fs')).readFileSync(wf, 'utf8').replace('failures: 1', 'failures: 5'));
  const r = await nas(['run', wf, '--store', join(dir, 's.sqlite')]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /run 1: complete \(.*\), 8 trials, 3 failed/);
  const j = await nas(['run', wf, '--store', join(dir, 's.sqlite'), '--json']);
  assert.is(JSON.parse(j.stdout).failed, 3);
});

test.run();
