// Builtin datasets, splitting, subsampling, standardisation and meta-features.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FatalError } from '../engine/core/errors.js';
import { describeDataset, loadDataset, splitDataset, type Dataset } from '../engine/training/datasets/index.js';
import type { DatasetConfig } from '../engine/core/workflow.js';

const cfg = (source: string, extra: Partial<DatasetConfig> = {}): DatasetConfig => ({
  source,
  label: 'label',
  split: { validation: 0.2 },
  ...extra,
});

function fractions(ds: Dataset): number[] {
  const c = new Array<number>(ds.classes).fill(0);
  for (const y of ds.y) c[y]++;
  return c.map((v) => v / ds.n);
}

function range(a: Float32Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of a) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return [lo, hi];
}

test('builtin:mnist loads 10,000 28x28 digits in 0..1, quickly', () => {
  const t = Date.now();
  const ds = loadDataset(cfg('builtin:mnist'));
  assert.ok(Date.now() - t < 5000, 'loads in seconds');
  assert.is(ds.n, 10000);
  assert.equal(ds.featureShape, [28, 28, 1]);
  assert.is(ds.x.length, 10000 * 784);
  assert.is(ds.classes, 10);
  assert.equal(ds.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  assert.equal(range(ds.x), [0, 1]);
  assert.is(ds.standardize, false);
  // cached: the same object the second time
  assert.is(loadDataset(cfg('builtin:mnist')), ds);
});

test('builtin:digits, iris and wine have their shapes and classes', () => {
  const digits = loadDataset(cfg('builtin:digits'));
  assert.is(digits.n, 1797);
  assert.equal(digits.featureShape, [8, 8, 1]);
  assert.is(digits.classes, 10);
  assert.equal(range(digits.x), [0, 1]);
  const iris = loadDataset(cfg('builtin:iris'));
  assert.is(iris.n, 150);
  assert.equal(iris.featureShape, [4]);
  assert.is(iris.classes, 3);
  assert.is(iris.standardize, true);
  assert.equal(iris.featureNames, ['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
  const wine = loadDataset(cfg('builtin:wine'));
  assert.is(wine.n, 178);
  assert.equal(wine.featureShape, [13]);
  assert.is(wine.classes, 3);
});

test('reshapes to a requested input of the same size, and says why it cannot otherwise', () => {
  const flat = loadDataset(cfg('builtin:digits'), [64]);
  assert.equal(flat.featureShape, [64]);
  assert.equal(loadDataset(cfg('builtin:digits'), [8, 8, 1]).featureShape, [8, 8, 1]);
  assert.throws(
    () => loadDataset(cfg('builtin:digits'), [28, 28, 1]),
    (e: unknown) => e instanceof FatalError && /\[8, 8, 1\] \(64 values\).*\[28, 28, 1\] needs 784/.test(e.message),
  );
});

test('stratified split keeps class proportions and puts every sample in exactly one part', () => {
  const ds = loadDataset(cfg('builtin:wine'));
  const { train, validation } = splitDataset(ds, 0.25, 3);
  assert.is(train.n + validation.n, ds.n);
  assert.ok(Math.abs(validation.n - ds.n * 0.25) <= ds.classes);
  const all = fractions(ds);
  fractions(validation).forEach((f, k) => assert.ok(Math.abs(f - all[k]) < 0.03, `class ${k}: ${f} vs ${all[k]}`));
  fractions(train).forEach((f, k) => assert.ok(Math.abs(f - all[k]) < 0.03));
  // mnist: classes of unequal size stay proportional too
  const m = loadDataset(cfg('builtin:mnist'));
  const s = splitDataset(m, 0.1, 1);
  const mf = fractions(m);
  fractions(s.validation).forEach((f, k) => assert.ok(Math.abs(f - mf[k]) < 0.002));
});

test('split and limit are deterministic by seed', () => {
  const ds = loadDataset(cfg('builtin:digits'));
  const a = splitDataset(ds, 0.2, 7);
  const b = splitDataset(ds, 0.2, 7);
  const c = splitDataset(ds, 0.2, 8);
  assert.equal(Array.from(a.validation.y), Array.from(b.validation.y));
  assert.equal(a.validation.x, b.validation.x);
  assert.not.equal(a.validation.x, c.validation.x);
  const l1 = loadDataset(cfg('builtin:mnist', { limit: 500 }));
  const l2 = loadDataset(cfg('builtin:mnist', { limit: 500 }), undefined, { seed: 0 });
  const l3 = loadDataset(cfg('builtin:mnist', { limit: 500 }), undefined, { seed: 1 });
  assert.is(l1, l2, 'cached by source and limit');
  assert.is(l1.n, 500);
  assert.not.equal(l1.x, l3.x);
});

test('limit is a stratified subsample', () => {
  const full = loadDataset(cfg('builtin:mnist'));
  const ds = loadDataset(cfg('builtin:mnist', { limit: 1000 }));
  assert.is(ds.n, 1000);
  const f = fractions(full);
  fractions(ds).forEach((v, k) => assert.ok(Math.abs(v - f[k]) <= 0.0011, `class ${k}`));
  // every class survives a tiny limit
  const tiny = loadDataset(cfg('builtin:mnist', { limit: 20 }));
  assert.ok(fractions(tiny).every((v) => v > 0));
});

test('standardisation uses training statistics only', () => {
  const ds = loadDataset(cfg('builtin:iris'));
  const { train, validation } = splitDataset(ds, 0.3, 5);
  const d = 4;
  for (let j = 0; j < d; j++) {
    let s = 0;
    let sq = 0;
    for (let i = 0; i < train.n; i++) {
      s += train.x[i * d + j];
      sq += train.x[i * d + j] ** 2;
    }
    const mean = s / train.n;
    assert.ok(Math.abs(mean) < 1e-5, `train mean ${mean}`);
    assert.ok(Math.abs(sq / train.n - mean * mean - 1) < 1e-4, 'train std 1');
  }
  // validation is scaled with the training mean/std, not its own
  const scaling = train.scaling!;
  assert.equal(validation.scaling, scaling);
  const raw = loadDataset(cfg('builtin:iris'));
  const row = validation.x.subarray(0, d);
  const match = Array.from({ length: raw.n }, (_, i) => i).find((i) =>
    Array.from(row).every((v, j) => Math.abs(v - (raw.x[i * d + j] - scaling.mean[j]) / scaling.std[j]) < 1e-5),
  );
  assert.ok(match !== undefined, 'a validation row is (raw - trainMean) / trainStd');
  // the cached raw data is untouched and images are never standardised
  assert.ok(raw.x[0] > 4);
  const digits = splitDataset(loadDataset(cfg('builtin:digits')), 0.2, 1);
  assert.is(digits.train.scaling, undefined);
  assert.equal(range(digits.train.x), [0, 1]);
});

test('split errors: bad fraction, too few samples per class', () => {
  const ds = loadDataset(cfg('builtin:iris'));
  assert.throws(() => splitDataset(ds, 0, 1), /in \(0, 1\)/);
  assert.throws(() => splitDataset(ds, 1, 1), /in \(0, 1\)/);
  const tiny = loadDataset(cfg('builtin:iris', { limit: 4 }));
  assert.throws(
    () => splitDataset(tiny, 0.5, 1),
    (e: unknown) => e instanceof FatalError && /class "\d" has 1 sample\(s\).*at least 1 in each part/.test(e.message),
  );
  assert.throws(() => loadDataset(cfg('builtin:iris', { limit: 0 })), /positive integer/);
});

test('unknown builtins and schemes are fatal with the choices listed', () => {
  assert.throws(
    () => loadDataset(cfg('builtin:cifar')),
    (e: unknown) => e instanceof FatalError && /builtin:mnist, builtin:digits/.test(e.message),
  );
  assert.throws(() => loadDataset(cfg('parquet:/x')), /builtin:NAME, csv:PATH, idx:PATH, json:PATH or audio:DIR/);
});

test('describeDataset gives meta-features and landmarks, fast on mnist', () => {
  const t = Date.now();
  const m = describeDataset(loadDataset(cfg('builtin:mnist')));
  assert.ok(Date.now() - t < 1000, `took ${Date.now() - t} ms`);
  assert.is(m.n, 10000);
  assert.is(m.features, 784);
  assert.equal(m.inputShape, [28, 28, 1]);
  assert.is(m.classes, 10);
  assert.ok(m.classEntropyNormalized > 0.99 && m.classEntropyNormalized <= 1);
  assert.ok(m.minClassFraction > 0.08 && m.maxClassFraction < 0.12);
  assert.ok(m.landmark1nn > 0.6 && m.landmark1nn <= 1, `1nn ${m.landmark1nn}`);
  assert.ok(m.landmarkCentroid > 0.5, `centroid ${m.landmarkCentroid}`);
  const iris = describeDataset(loadDataset(cfg('builtin:iris')));
  assert.is(iris.classBalance, 1);
  assert.ok(Math.abs(iris.classEntropy - Math.log2(3)) < 1e-9);
  assert.ok(iris.landmark1nn > 0.85);
  assert.equal(describeDataset(loadDataset(cfg('builtin:iris'))), iris, 'deterministic');
});

test.run();
