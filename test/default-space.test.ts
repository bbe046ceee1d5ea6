// Default spaces: a workflow without `space` gets the one for its data's kind of input; nas validate
// --explain prints it; nas init --from-data writes it into a workflow that validates.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { clearDatasetCache, loadDataset } from '../engine/training/datasets/index.js';
import { defaultSpaceFor } from '../engine/workflow/default-space.js';
import { checkWorkflowFile, loadWorkflow } from '../engine/workflow/index.js';
import { validateCommand } from '../engine/cli/validate.js';
import { initFromData } from '../engine/cli/init-from-data.js';
import type { ChainSpaceConfig } from '../engine/core/workflow.js';
import { FIXTURES, scratch } from './helpers/paths.js';

const split = { validation: 0.2 };

test('the kind of input decides the space: image, table, table with categorical columns', () => {
  clearDatasetCache();
  const image = defaultSpaceFor(loadDataset({ source: 'builtin:digits', label: 'label', split }));
  assert.is(image.kind, 'image');
  assert.equal(image.space.input, [8, 8, 1]);
  assert.equal(Object.keys((image.space as unknown as ChainSpaceConfig).layers.choose), [
    'conv2d',
    'max_pool',
    'dropout',
  ]);
  const table = defaultSpaceFor(loadDataset({ source: 'builtin:iris', label: 'label', split }));
  assert.is(table.kind, 'table');
  assert.equal(table.space.input, [4]);
  assert.not.ok('embedding_dim' in (table.space as unknown as ChainSpaceConfig).hyper);
  const cat = defaultSpaceFor(loadDataset({ source: 'builtin:wine', label: 'label', categorical: ['proline'], split }));
  assert.is(cat.kind, 'categorical-table');
  assert.equal((cat.space as unknown as ChainSpaceConfig).hyper.embedding_dim, [4, 8, 16]);
});

test('a text workflow without space gets an embedding first, sized by its tokenizer, without loading the corpus', () => {
  const dir = scratch('default-tokens');
  try {
    const file = join(dir, 'w.yaml');
    writeFileSync(
      file,
      [
        'name: t',
        'objective: { metric: accuracy }',
        'dataset: { source: csv:texts.csv, text: body, tokenizer: { length: 64 } }',
        'strategy: { type: random }',
        'evaluation: { type: train, epochs: 1 }',
        'budget: { trials: 2 }',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'texts.csv'), 'body,label\nhello there,a\nbuy now,b\n');
    const wf = loadWorkflow(file);
    const space = wf.space as ChainSpaceConfig;
    assert.equal(space.input, [64]);
    assert.ok('embedding' in space.layers.choose && 'conv1d' in space.layers.choose);
    const spam = loadWorkflow(join(FIXTURES, '..', '..', 'workflows', 'spam-no-space.yaml'));
    assert.equal((spam.space as ChainSpaceConfig).input, [300]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an image workflow without space gets the flatten head unless it chose one', () => {
  const dir = scratch('default-head');
  try {
    const base = 'name: x\ndataset: { source: builtin:digits }\nstrategy: { type: random }\n';
    writeFileSync(join(dir, 'a.yaml'), base + 'evaluation: { type: train }\n');
    writeFileSync(join(dir, 'b.yaml'), base + 'evaluation: { type: train, head: gap }\n');
    assert.is(loadWorkflow(join(dir, 'a.yaml')).evaluation.head, 'flatten');
    assert.is(loadWorkflow(join(dir, 'b.yaml')).evaluation.head, 'gap');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a workflow without space loads with the default; without data it still needs one', () => {
  const wf = loadWorkflow(join(FIXTURES, 'workflows', 'valid', 'no-space.yaml'));
  assert.is(wf.defaultSpace, 'table');
  assert.equal((wf.space as ChainSpaceConfig).input, [2]);
  const { problems } = checkWorkflowFile(join(FIXTURES, 'workflows', 'invalid', 'missing-space.yaml'));
  assert.match(problems[0].message, /missing required key "space"/);
});

function capture(): { io: { stdout: PassThrough; stderr: PassThrough }; text: () => string } {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  return { io: { stdout: out, stderr: out }, text: () => text };
}

test('nas validate --explain prints the space and why', async () => {
  const c = capture();
  const code = await validateCommand(
    [join(FIXTURES, 'workflows', 'valid', 'no-space.yaml')],
    c.io,
    {},
    { explain: true },
  );
  assert.is(code, 0, c.text());
  assert.match(c.text(), /space \(left out: the default space for table input\):/);
  assert.match(c.text(), /input: \[ 2 \]/);
});

test('nas init --from-data writes a workflow with the default space that validates', () => {
  const dir = scratch('init-from-data');
  try {
    const rows = ['rooms,area,label'];
    for (let i = 0; i < 30; i++) rows.push(`${i % 5},${50 + i * 3.5},${100 + i * 7.25}`);
    writeFileSync(join(dir, 'houses.csv'), rows.join('\n') + '\n');
    const c = capture();
    const code = initFromData('csv:houses.csv', { out: 'wf/houses.yaml' }, c.io, dir);
    assert.is(code, 0, c.text());
    const text = readFileSync(join(dir, 'wf', 'houses.yaml'), 'utf8');
    assert.match(text, /default space for table input \(30 samples of shape \[2\], regression\)/);
    assert.match(text, /source: csv:\.\.\/houses\.csv/);
    assert.match(text, /metric: r2/);
    const wf = loadWorkflow(join(dir, 'wf', 'houses.yaml'));
    assert.is(wf.defaultSpace, undefined, 'the space is written out');
    assert.equal((wf.space as ChainSpaceConfig).input, [2]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
