// Workflow loading: every valid fixture loads, every invalid fixture reports its declared problem at its
// declared place (`# expect: LINE:COL message-substring` on the first line), defaults and paths.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkflowError } from '../engine/core/errors.js';
import { checkWorkflowFile, checkWorkflowText, loadWorkflow } from '../engine/workflow/load.js';
import { parseDuration } from '../engine/workflow/duration.js';
import { closest } from '../engine/workflow/suggest.js';
import { registries } from './workflow-registries.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/workflows/', import.meta.url));
const yamls = (dir: string) =>
  readdirSync(join(FIXTURES, dir))
    .filter((f) => f.endsWith('.yaml'))
    .sort();
const opts = { registries: registries() };

for (const name of yamls('valid')) {
  test(`valid/${name} loads`, () => {
    const { problems } = checkWorkflowFile(join(FIXTURES, 'valid', name), opts);
    assert.equal(problems, []);
  });
}

const invalid = yamls('invalid');
test('there are at least 30 invalid fixtures', () => {
  assert.ok(invalid.length >= 30, String(invalid.length));
});

for (const name of invalid) {
  test(`invalid/${name} reports its problem`, () => {
    const file = join(FIXTURES, 'invalid', name);
    const m = /^# expect: (\d+):(\d+) (.+)$/m.exec(readFileSync(file, 'utf8').split('\n')[0]);
    assert.ok(m, 'first line must be "# expect: LINE:COL substring"');
    const [line, col, text] = [Number(m[1]), Number(m[2]), m[3]];
    const { config, problems } = checkWorkflowFile(file, opts);
    assert.is(config, undefined);
    const shown = problems.map((p) => `${p.line}:${p.col} ${p.message}`).join('\n');
    assert.is(problems.length, 1, shown);
    assert.is(`${problems[0].line}:${problems[0].col}`, `${line}:${col}`, shown);
    assert.ok(problems[0].message.includes(text), shown);
  });
}

test('every problem of a file is reported at once', () => {
  const file = join(FIXTURES, 'many-problems.yaml');
  let error: unknown;
  try {
    loadWorkflow(file, opts);
  } catch (e) {
    error = e;
  }
  assert.instance(error, WorkflowError);
  const at = (error as WorkflowError).problems.map((p) => `${p.line}:${p.col}`);
  // One per mistake in the file, in file order (see the file: each line has one or two).
  const expected = ['2:7', '3:7', '4:33', '10:10', '12:7', '12:17', '13:23', '14:7', '15:34', '16:19', '17:39'];
  assert.equal(at, [...expected, '18:19', '18:31', '19:11', '20:1', '21:16', '22:20', '22:52']);
  assert.ok((error as WorkflowError).message.startsWith(`${file}:2:7: name must be`));
});

test('checking goes on after a duplicate key, but not after a syntax error', () => {
  const file = join(FIXTURES, 'inline.yaml');
  const dup = 'name: x\nname: y\nseed: -1\nspace: { kind: cell, preset: nb201 }\nstrategy: { type: random }\n';
  const problems = checkWorkflowText(dup, file, opts).problems.map((p) => `${p.line}:${p.col}`);
  assert.equal(problems, ['1:1', '2:1', '3:7']); // missing evaluation (at the first key), duplicate, seed
  const broken = checkWorkflowText('name: [x\nseed: -1\n', file, opts).problems;
  assert.is(broken.length, 1);
  assert.match(broken[0].message, /^YAML syntax error: /);
});

test('defaults are applied and paths made absolute', () => {
  const file = join(FIXTURES, 'valid', 'minimal.yaml');
  const c = loadWorkflow(file, opts);
  assert.is(c.seed, 0);
  assert.equal(c.objective, { metric: 'accuracy', mode: 'max' });
  assert.equal(c.constraints, {});
  assert.equal(c.budget, { failures: 5 });
  assert.is(c.parallel, availableParallelism());
  assert.is(c.retries, 2);
  assert.equal(c.space, {
    kind: 'cell',
    preset: 'nb201',
    nodes: 4,
    ops: ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'],
  });
  assert.is(c.evaluation.table, resolve(FIXTURES, '../../../workflows/benchmarks/nb201-cifar.csv'));
  assert.is(c.evaluation.report_as, 'accuracy'); // an evaluator option default
  assert.is(c.source.file, file);
  assert.is(c.source.dir, join(FIXTURES, 'valid'));
  assert.match(c.source.hash, /^[0-9a-f]{64}$/);
  assert.ok(c.source.text.includes('name: minimal'));
});

test('chain choices are completed from the layer defaults; durations become seconds', () => {
  const c = loadWorkflow(join(FIXTURES, 'valid', 'chain-map.yaml'), opts);
  assert.is(c.budget.time, 20 * 60);
  assert.is(c.dataset?.split.validation, 0.25);
  if (c.space.kind !== 'chain') throw new Error('chain expected');
  assert.equal(c.space.layers.min, 2);
  assert.equal(c.space.layers.choose.conv2d, {
    filters: [16, 32],
    kernel: [3],
    activation: ['relu'],
    residual: [false],
  });
  assert.equal(c.space.layers.choose.dropout, { rate: [0.1, 0.3] });
  assert.equal(c.space.layers.choose.dense, { units: [64], activation: ['relu', 'tanh'] });

  const l = loadWorkflow(join(FIXTURES, 'valid', 'chain-list.yaml'), opts);
  assert.is(l.budget.time, 2 * 3600 + 5 * 60 + 30);
  assert.is(l.dataset?.source, 'csv:' + join(FIXTURES, 'valid', 'data', 'tiny.csv'));
  assert.equal(l.dataset?.split, { validation: 0.2 });
  assert.is(l.dataset?.label, 'label');
  assert.equal(l.meta, {
    from: [join(FIXTURES, 'valid', 'data', 'past-knowledge.json')],
    learn: ['strategy'],
    stages: 'final',
  });
  if (l.space.kind !== 'chain') throw new Error('chain expected');
  assert.equal(Object.keys(l.space.layers.choose), ['dense', 'dropout', 'batch_norm']);
  assert.equal(l.space.layers.choose.batch_norm, {});
  assert.equal(l.space.hyper, {});
  assert.is(l.space.layers.min, 1);
});

test('durations', () => {
  assert.is(parseDuration('90s'), 90);
  assert.is(parseDuration('1h30m'), 5400);
  assert.is(parseDuration('1.5h'), 5400);
  assert.is(parseDuration(12), 12);
  assert.is(parseDuration('20 minutes'), undefined);
  assert.is(parseDuration(''), undefined);
  assert.is(parseDuration('m'), undefined);
});

test('did-you-mean finds near misses only', () => {
  assert.is(closest('populaton', ['population', 'sample']), 'population');
  assert.is(closest('regularised-evolution', ['random', 'regularized-evolution']), 'regularized-evolution');
  assert.is(closest('banana', ['population', 'sample']), undefined);
});

test('a file that does not exist is one problem, not a crash', () => {
  const problems = checkWorkflowFile(join(FIXTURES, 'nope.yaml'), opts).problems;
  assert.equal(
    problems.map((p) => [p.line, p.col, p.message]),
    [[1, 1, 'file not found']],
  );
});

test.run();
