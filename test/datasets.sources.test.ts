// csv:, idx: and json: sources from the small files in test/fixtures/data, and their error messages.

import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FatalError } from '../engine/core/errors.js';
import { clearDatasetCache, loadDataset, splitDataset } from '../engine/training/datasets/index.js';
import { packageRoot } from '../engine/training/datasets/root.js';
import { labelsFileFor } from '../engine/training/datasets/idx.js';
import type { DatasetConfig } from '../engine/core/workflow.js';

const dir = join(packageRoot(), 'test', 'fixtures', 'data');
const f = (name: string) => join(dir, name);
const cfg = (source: string, label = 'label'): DatasetConfig => ({ source, label, split: { validation: 0.25 } });

function fatal(source: string, pattern: RegExp, label = 'label'): void {
  clearDatasetCache();
  try {
    loadDataset(cfg(source, label));
  } catch (e) {
    assert.instance(e, FatalError);
    assert.match((e as Error).message, pattern);
    return;
  }
  assert.unreachable(`${source} should fail`);
}

test('csv: string labels map to sorted class names, features are standardised on split', () => {
  const ds = loadDataset(cfg(`csv:${f('small.csv')}`));
  assert.is(ds.n, 12);
  assert.equal(ds.featureShape, [2]);
  assert.equal(ds.classNames, ['cat', 'dog', 'emu']);
  assert.equal(Array.from(ds.y.subarray(0, 3)), [2, 0, 1]);
  assert.equal(ds.featureNames, ['a', 'b']);
  assert.ok(Math.abs(ds.x[2] - 10.1) < 1e-5, 'row 2 column a');
  const { train, validation } = splitDataset(ds, 0.25, 1);
  assert.is(validation.n, 3);
  assert.ok(train.scaling && validation.scaling === train.scaling);
});

test('csv: quoted fields and CRLF', () => {
  const ds = loadDataset(cfg(`csv:${f('quoted.csv')}`));
  assert.is(ds.n, 4);
  assert.equal(ds.featureNames, ['a', 'b, with comma']);
  assert.equal(ds.classNames, ['x', 'y']);
  assert.equal(Array.from(ds.x), [1, 2, 3, 4, 5, 6, 7, 8]);
});

test('csv errors name the file, line and column', () => {
  fatal('csv:/no/such/file.csv', /\/no\/such\/file\.csv: no such file/);
  fatal(`csv:${f('empty.csv')}`, /empty\.csv: the file is empty/);
  fatal(`csv:${f('small.csv')}`, /small\.csv: no label column "species"; the columns are: a, b, label/, 'species');
  fatal(`csv:${f('bad-cell.csv')}`, /bad-cell\.csv:3: column "b" is not a number: "oops"/);
  fatal(`csv:${f('ragged.csv')}`, /ragged\.csv:3: 2 cells, the header has 3 columns/);
  fatal(`csv:${f('one-class.csv')}`, /only one class \("x"\)/);
  const few = loadDataset(cfg(`csv:${f('few.csv')}`));
  assert.throws(() => splitDataset(few, 0.25, 1), /class "y" has 1 sample\(s\)/);
});

test('idx: images with the labels file found beside them, scaled to 0..1', () => {
  const ds = loadDataset(cfg(`idx:${f('tiny-images-idx3-ubyte')}`));
  assert.is(ds.n, 12);
  assert.equal(ds.featureShape, [3, 4, 1]);
  assert.equal(ds.classNames, ['3', '5', '7']);
  assert.equal(Array.from(ds.y.subarray(0, 3)), [2, 0, 1]);
  assert.ok(Math.abs(ds.x[13] - 21 / 255) < 1e-6, 'image 1 pixel 1');
  assert.is(ds.standardize, false);
  assert.is(labelsFileFor(f('tiny-images-idx3-ubyte')), f('tiny-labels-idx1-ubyte'));
  assert.is(labelsFileFor(f('lonely-images-idx3-ubyte')), null);
});

test('idx: gzipped files and an explicit labels path', () => {
  const gz = loadDataset(cfg(`idx:${f('gz-images-idx3-ubyte.gz')}`));
  const plain = loadDataset(cfg(`idx:${f('tiny-images-idx3-ubyte')}`));
  assert.equal(gz.x, plain.x);
  assert.equal(gz.y, plain.y);
  const other = loadDataset(cfg(`idx:${f('tiny-images-idx3-ubyte')},${f('other-labels.idx')}`));
  assert.equal(other.classNames, ['0', '1']);
  assert.equal(loadDataset(cfg(`idx:${f('tiny-images-idx3-ubyte')}`), [12]).featureShape, [12]);
});

test('idx errors', () => {
  fatal(`idx:${f('lonely-images-idx3-ubyte')}`, /no labels file found beside it.*idx:IMAGES,LABELS/);
  fatal(`idx:${f('small.csv')},${f('tiny-labels-idx1-ubyte')}`, /small\.csv: not an IDX file/);
  fatal(`idx:${f('tiny-images-idx3-ubyte')},${f('missing-labels')}`, /missing-labels: no such file/);
});

test('json: records with a label key', () => {
  const ds = loadDataset(cfg(`json:${f('records.json')}`, 'kind'));
  assert.is(ds.n, 8);
  assert.equal(ds.featureNames, ['f1', 'f2']);
  assert.equal(ds.classNames, ['even', 'odd']);
  assert.equal(Array.from(ds.x.subarray(2, 4)), [1, 2]);
  assert.is(ds.standardize, true);
});

test('json: {x, y} flat and nested (images get a channel axis)', () => {
  const flat = loadDataset(cfg(`json:${f('xy-flat.json')}`));
  assert.equal(flat.featureShape, [3]);
  assert.is(flat.standardize, true);
  assert.equal(flat.classNames, ['0', '1']);
  const img = loadDataset(cfg(`json:${f('xy-images.json')}`));
  assert.equal(img.featureShape, [2, 2, 1]);
  assert.is(img.standardize, false);
  assert.equal(img.classNames, ['a', 'b']);
  assert.equal(Array.from(img.x.subarray(4, 8)), [1, 0, 0, 1]);
});

test('json errors', () => {
  fatal(`json:${f('records.json')}`, /no label key "label" in record 0; its keys are: f1, f2, kind/);
  fatal(`json:${f('bad-records.json')}`, /record 1, key "f1" is not a number: "x"/, 'kind');
  fatal(`json:${f('small.csv')}`, /invalid JSON/);
  fatal(`json:${f('empty.csv')}`, /the file is empty/);
});

test.run();
