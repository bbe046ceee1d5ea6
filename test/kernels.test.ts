/**
 * The wasm training kernels against the cpu backend (or, where the cpu kernel ignores an
 * attribute such as depthwise dilations, against a direct loop over the definition).
 */
import { Worker } from 'node:worker_threads';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend, maxWorkersFor } from '../engine/training/backend.js';
import {
  originalCpuKernel,
  registerCpuKernelFixes,
  registerWasmTrainingKernels,
} from '../engine/training/kernels/index.js';
import { callBundled } from '../engine/training/kernels/bundled.js';
import { SOURCE_SHA256 } from '../engine/training/kernels/native/kernels-wasm.js';
import { sourceHash } from '../engine/training/kernels/native/build.js';
import { random } from './helpers/random.js';

type Shape4 = [number, number, number, number];

/** Runs a kernel on one backend with fresh tensors made from the given arrays. */
async function runOn(
  backend: string,
  kernel: string,
  inputs: Record<string, [Float32Array | Int32Array, number[]]>,
  attrs: tf.NamedAttrMap,
): Promise<{ values: Float32Array; shape: number[] }> {
  await tf.setBackend(backend);
  const named: tf.NamedTensorMap = {};
  for (const [k, [v, shape]] of Object.entries(inputs)) named[k] = tf.tensor(v, shape);
  const out = tf.engine().runKernel(kernel, named, attrs) as tf.Tensor;
  const values = (await out.data()) as Float32Array;
  const shape = out.shape;
  out.dispose();
  for (const t of Object.values(named)) t.dispose();
  return { values, shape };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.is(a.length, b.length, 'lengths differ');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

async function compare(
  kernel: string,
  inputs: Record<string, [Float32Array | Int32Array, number[]]>,
  attrs: tf.NamedAttrMap,
  label: string,
  reference?: { values: ArrayLike<number>; shape: number[] },
): Promise<void> {
  const want = reference ?? (await runOn('cpu', kernel, inputs, attrs));
  const got = await runOn('wasm', kernel, inputs, attrs);
  assert.equal(got.shape, want.shape, `${label}: shape`);
  // float32 sums taken in another order differ in proportion to their size
  let scale = 1;
  for (let i = 0; i < want.values.length; i++) scale = Math.max(scale, Math.abs(want.values[i]));
  const err = maxAbsDiff(got.values, want.values);
  assert.ok(err < 1e-4 * scale, `${label}: max abs error ${err} (largest value ${scale})`);
}

/** The depthwise forward pass's geometry, used by the direct reference loops below. */
function depthwiseInfo(xShape: Shape4, fShape: Shape4, s: number, d: number, pad: 'same' | 'valid' | number) {
  return tf.backend_util.computeConv2DInfo(xShape, fShape, s, d, pad, undefined, true);
}

function depthwiseFilterGradReference(
  x: Float32Array,
  xShape: Shape4,
  dy: Float32Array,
  fShape: Shape4,
  s: number,
  d: number,
  pad: 'same' | 'valid' | number,
): Float32Array {
  const g = depthwiseInfo(xShape, fShape, s, d, pad);
  const [n, h, w, c] = xShape;
  const m = fShape[3];
  const dw = new Float32Array(fShape[0] * fShape[1] * c * m);
  for (let a = 0; a < fShape[0]; a++)
    for (let b = 0; b < fShape[1]; b++)
      for (let ch = 0; ch < c; ch++)
        for (let k = 0; k < m; k++) {
          let acc = 0;
          for (let bi = 0; bi < n; bi++)
            for (let i = 0; i < g.outHeight; i++)
              for (let j = 0; j < g.outWidth; j++) {
                const r = i * s + a * d - g.padInfo.top,
                  q = j * s + b * d - g.padInfo.left;
                if (r < 0 || r >= h || q < 0 || q >= w) continue;
                acc +=
                  x[((bi * h + r) * w + q) * c + ch] *
                  dy[((bi * g.outHeight + i) * g.outWidth + j) * c * m + ch * m + k];
              }
          dw[((a * fShape[1] + b) * c + ch) * m + k] = acc;
        }
  return dw;
}

function depthwiseInputGradReference(
  dy: Float32Array,
  xShape: Shape4,
  f: Float32Array,
  fShape: Shape4,
  s: number,
  d: number,
  pad: 'same' | 'valid' | number,
): Float32Array {
  const g = depthwiseInfo(xShape, fShape, s, d, pad);
  const [n, h, w, c] = xShape;
  const m = fShape[3];
  const dx = new Float32Array(n * h * w * c);
  for (let bi = 0; bi < n; bi++)
    for (let i = 0; i < g.outHeight; i++)
      for (let j = 0; j < g.outWidth; j++)
        for (let a = 0; a < fShape[0]; a++)
          for (let b = 0; b < fShape[1]; b++) {
            const r = i * s + a * d - g.padInfo.top,
              q = j * s + b * d - g.padInfo.left;
            if (r < 0 || r >= h || q < 0 || q >= w) continue;
            for (let ch = 0; ch < c; ch++)
              for (let k = 0; k < m; k++) {
                dx[((bi * h + r) * w + q) * c + ch] +=
                  f[((a * fShape[1] + b) * c + ch) * m + k] *
                  dy[((bi * g.outHeight + i) * g.outWidth + j) * c * m + ch * m + k];
              }
          }
  return dx;
}

const pads: Array<'same' | 'valid' | number> = ['same', 'valid', 1];
const convShapes: Array<{ x: Shape4; f: [number, number]; cout: number }> = [
  { x: [2, 7, 7, 3], f: [3, 3], cout: 4 },
  { x: [3, 8, 6, 1], f: [2, 3], cout: 5 },
  { x: [1, 9, 9, 4], f: [1, 1], cout: 2 },
  { x: [2, 10, 11, 2], f: [5, 5], cout: 3 },
];

test.before(async () => {
  assert.is(await initBackend('wasm'), 'wasm');
});

test('the compiled kernels are built from the current kernels.c', () => {
  assert.is(SOURCE_SHA256, sourceHash(), 'kernels.c changed: run npm run build:kernels (needs clang and lld)');
});

test("initBackend('tensorflow') throws without tfjs-node; kernel registration is idempotent", async () => {
  let failed = false;
  try {
    await initBackend('tensorflow');
  } catch {
    failed = true;
  }
  assert.ok(failed, "explicit 'tensorflow' must throw when tfjs-node is absent");
  assert.equal(registerWasmTrainingKernels(), []);
  assert.is(maxWorkersFor('tensorflow', 8), 1);
  assert.is(maxWorkersFor('wasm', 8), 8);
  assert.is(await initBackend('wasm'), 'wasm');
});

test('Conv2DBackpropFilter matches cpu', async () => {
  let seed = 1;
  for (const { x, f, cout } of convShapes)
    for (const s of [1, 2])
      for (const pad of pads) {
        const filterShape: Shape4 = [f[0], f[1], x[3], cout];
        const g = tf.backend_util.computeConv2DInfo(x, filterShape, s, 1, pad);
        const dyShape = [x[0], g.outHeight, g.outWidth, cout];
        await compare(
          'Conv2DBackpropFilter',
          {
            x: [random(tf.util.sizeFromShape(x), seed++), x],
            dy: [random(tf.util.sizeFromShape(dyShape), seed++), dyShape],
          },
          { strides: [s, s], pad, dataFormat: 'NHWC', filterShape },
          `x=${x} f=${f} s=${s} pad=${pad}`,
        );
      }
});

test('Conv2DBackpropFilter matches cpu on long sums and channel counts off the SIMD width', async () => {
  // 8*32*32 terms per weight; 3 input channels (a block of 2 and one of 1) and 72 output
  // channels (nine blocks of 8), and 13 (a block of 8, one of 4, one left for the scalar loop).
  const x: Shape4 = [8, 32, 32, 3],
    filterShape: Shape4 = [3, 3, 3, 72];
  const dyShape = [8, 32, 32, 72];
  await compare(
    'Conv2DBackpropFilter',
    {
      x: [random(tf.util.sizeFromShape(x), 900), x],
      dy: [random(tf.util.sizeFromShape(dyShape), 901), dyShape],
    },
    { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', filterShape },
    'long sums',
  );
  const f13: Shape4 = [3, 3, 3, 13],
    dy13 = [8, 32, 32, 13];
  await compare(
    'Conv2DBackpropFilter',
    {
      x: [random(tf.util.sizeFromShape(x), 902), x],
      dy: [random(tf.util.sizeFromShape(dy13), 903), dy13],
    },
    { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', filterShape: f13 },
    '13 output channels',
  );
});

test('Conv2DBackpropInput matches cpu', async () => {
  let seed = 100;
  for (const { x, f, cout } of convShapes)
    for (const s of [1, 2])
      for (const pad of pads) {
        const filterShape: Shape4 = [f[0], f[1], x[3], cout];
        const g = tf.backend_util.computeConv2DInfo(x, filterShape, s, 1, pad);
        const dyShape = [x[0], g.outHeight, g.outWidth, cout];
        await compare(
          'Conv2DBackpropInput',
          {
            dy: [random(tf.util.sizeFromShape(dyShape), seed++), dyShape],
            filter: [random(tf.util.sizeFromShape(filterShape), seed++), filterShape],
          },
          { strides: [s, s], pad, dataFormat: 'NHWC', inputShape: x },
          `x=${x} f=${f} s=${s} pad=${pad}`,
        );
      }
});

test('Conv2D matches cpu over strides, dilations, paddings and channel counts', async () => {
  let seed = 150;
  const shapes = [
    ...convShapes,
    { x: [2, 9, 8, 5] as Shape4, f: [3, 3] as [number, number], cout: 8 },
    { x: [1, 7, 6, 16] as Shape4, f: [3, 2] as [number, number], cout: 13 },
    // one input channel (its own path): blocks of 8 and 4 channels and a scalar one
    { x: [2, 9, 7, 1] as Shape4, f: [5, 5] as [number, number], cout: 13 },
  ];
  for (const { x, f, cout } of shapes)
    for (const [s, d] of [
      [1, 1],
      [2, 1],
      [1, 2],
    ])
      for (const pad of pads) {
        const filterShape: Shape4 = [f[0], f[1], x[3], cout];
        const g = tf.backend_util.computeConv2DInfo(x, filterShape, s, d, pad);
        if (g.outHeight <= 0 || g.outWidth <= 0) continue;
        await compare(
          'Conv2D',
          {
            x: [random(tf.util.sizeFromShape(x), seed++), x],
            filter: [random(tf.util.sizeFromShape(filterShape), seed++), filterShape],
          },
          { strides: [s, s], dilations: [d, d], pad, dataFormat: 'NHWC' },
          `x=${x} f=${f} co=${cout} s=${s} d=${d} pad=${pad}`,
        );
      }
  const x: Shape4 = [2, 3, 7, 6],
    filterShape: Shape4 = [3, 3, 3, 4];
  await compare(
    'Conv2D',
    { x: [random(126 * 2, seed++), x], filter: [random(108, seed), filterShape] },
    { strides: [2, 2], dilations: [1, 1], pad: 'same', dataFormat: 'NCHW' },
    'NCHW',
  );
});

test('FusedBatchNorm matches cpu with per-channel parameters, with and without offset and scale', async () => {
  let seed = 170;
  for (const c of [8, 6, 1]) {
    const x = [3, 4, 5, c];
    const vec = (): [Float32Array, number[]] => [random(c, seed++), [c]];
    const variance: [Float32Array, number[]] = [random(c, seed++).map((v) => v + 1), [c]];
    const base = {
      x: [random(tf.util.sizeFromShape(x), seed++), x] as [Float32Array, number[]],
      mean: vec(),
      variance,
    };
    await compare('FusedBatchNorm', { ...base, offset: vec(), scale: vec() }, { varianceEpsilon: 1e-3 }, `c=${c}`);
    await compare('FusedBatchNorm', base, { varianceEpsilon: 1e-3 }, `c=${c} without offset and scale`);
  }
  // statistics that are not per-channel vectors go to the bundled kernel
  const x = [2, 3, 4];
  await compare(
    'FusedBatchNorm',
    {
      x: [random(24, seed++), x],
      mean: [random(3, seed++), [3, 1]],
      variance: [random(3, seed++).map((v) => v + 1), [3, 1]],
    },
    { varianceEpsilon: 1e-3 },
    'broadcast along another axis',
  );
});

test('Add, Sub and Multiply match cpu with a channel vector on either side, and elsewhere', async () => {
  let seed = 180;
  const cases: Array<[number[], number[]]> = [
    [[4, 5, 6, 8], [8]],
    [[8], [4, 5, 6, 8]],
    [
      [3, 5, 7],
      [1, 1, 7],
    ],
    [
      [1, 1, 1, 6],
      [2, 3, 4, 6],
    ],
    [
      [4, 6],
      [4, 6],
    ],
    [[4, 6], []],
    [
      [4, 1],
      [4, 6],
    ],
    [
      [1, 6],
      [1, 6],
    ],
  ];
  for (const kernel of ['Add', 'Sub', 'Multiply'])
    for (const [a, b] of cases) {
      await compare(
        kernel,
        { a: [random(tf.util.sizeFromShape(a), seed++), a], b: [random(tf.util.sizeFromShape(b), seed++), b] },
        {},
        `${kernel} [${a}] [${b}]`,
      );
    }
  await compare(
    'Add',
    { a: [Int32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]], b: [Int32Array.from([10, 20, 30]), [3]] },
    {},
    'int32',
  );
});

test('Identity and Cast to the same dtype share data that outlives their inputs', async () => {
  await tf.setBackend('wasm');
  const before = tf.memory().numBytes;
  const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
  const copy = tf.clone(x);
  const same = tf.cast(x, 'float32');
  const ints = tf.cast(x, 'int32');
  x.dispose();
  assert.equal(Array.from(await copy.data()), [1, 2, 3, 4]);
  assert.equal(Array.from(await same.data()), [1, 2, 3, 4]);
  assert.is(ints.dtype, 'int32');
  tf.dispose([copy, same, ints]);
  assert.is(tf.memory().numBytes, before);
});

test('Conv2D backprop kernels accept NCHW', async () => {
  const x: Shape4 = [2, 3, 7, 6],
    filterShape: Shape4 = [3, 3, 3, 4];
  const g = tf.backend_util.computeConv2DInfo(x, filterShape, 2, 1, 'same', undefined, false, 'channelsFirst');
  const dyShape = [2, 4, g.outHeight, g.outWidth];
  const xs = random(tf.util.sizeFromShape(x), 7),
    dys = random(tf.util.sizeFromShape(dyShape), 8);
  await compare(
    'Conv2DBackpropFilter',
    { x: [xs, x], dy: [dys, dyShape] },
    { strides: [2, 2], pad: 'same', dataFormat: 'NCHW', filterShape },
    'filter NCHW',
  );
  await compare(
    'Conv2DBackpropInput',
    { dy: [dys, dyShape], filter: [random(108, 9), filterShape] },
    { strides: [2, 2], pad: 'same', dataFormat: 'NCHW', inputShape: x },
    'input NCHW',
  );
});

const depthwiseCases: Array<{ x: Shape4; f: [number, number]; m: number }> = [
  { x: [2, 7, 7, 3], f: [3, 3], m: 1 },
  { x: [2, 8, 6, 2], f: [3, 2], m: 2 },
  { x: [1, 9, 9, 4], f: [1, 1], m: 3 },
  { x: [2, 10, 11, 2], f: [5, 5], m: 1 },
];
// Strides and dilations may not both exceed 1 (the forward op's own rule).
const strideDilation: Array<[number, number]> = [
  [1, 1],
  [2, 1],
  [1, 2],
];

test('DepthwiseConv2dNative matches cpu over strides, dilations, paddings and multipliers', async () => {
  let seed = 190;
  const cases = [...depthwiseCases, { x: [2, 6, 7, 20] as Shape4, f: [3, 3] as [number, number], m: 1 }];
  for (const { x, f, m } of cases)
    for (const [s, d] of strideDilation)
      for (const pad of pads) {
        const filterShape: Shape4 = [f[0], f[1], x[3], m];
        await compare(
          'DepthwiseConv2dNative',
          {
            x: [random(tf.util.sizeFromShape(x), seed++), x],
            filter: [random(tf.util.sizeFromShape(filterShape), seed++), filterShape],
          },
          { strides: [s, s], dilations: [d, d], pad, dataFormat: 'NHWC' },
          `x=${x} f=${f} m=${m} s=${s} d=${d} pad=${pad}`,
        );
      }
});

test('DepthwiseConv2dNativeBackpropFilter matches cpu and the definition', async () => {
  let seed = 200;
  for (const { x, f, m } of depthwiseCases)
    for (const [s, d] of strideDilation)
      for (const pad of pads) {
        const filterShape: Shape4 = [f[0], f[1], x[3], m];
        const g = depthwiseInfo(x, filterShape, s, d, pad);
        const dyShape = [x[0], g.outHeight, g.outWidth, x[3] * m];
        const xs = random(tf.util.sizeFromShape(x), seed++),
          dys = random(tf.util.sizeFromShape(dyShape), seed++);
        const inputs = { x: [xs, x] as [Float32Array, number[]], dy: [dys, dyShape] as [Float32Array, number[]] };
        const attrs = { strides: [s, s], dilations: [d, d], pad, filterShape };
        const label = `x=${x} f=${f} m=${m} s=${s} d=${d} pad=${pad}`;
        // The cpu kernel ignores dilations, so dilated cases use the direct loop.
        const reference =
          d === 1
            ? undefined
            : { values: depthwiseFilterGradReference(xs, x, dys, filterShape, s, d, pad), shape: filterShape };
        await compare('DepthwiseConv2dNativeBackpropFilter', inputs, attrs, label, reference);
      }
});

test('DepthwiseConv2dNativeBackpropInput matches cpu and the definition', async () => {
  let seed = 300;
  for (const { x, f, m } of depthwiseCases)
    for (const [s, d] of strideDilation)
      for (const pad of pads) {
        const filterShape: Shape4 = [f[0], f[1], x[3], m];
        const g = depthwiseInfo(x, filterShape, s, d, pad);
        const dyShape = [x[0], g.outHeight, g.outWidth, x[3] * m];
        const dys = random(tf.util.sizeFromShape(dyShape), seed++),
          fs = random(tf.util.sizeFromShape(filterShape), seed++);
        const inputs = {
          dy: [dys, dyShape] as [Float32Array, number[]],
          filter: [fs, filterShape] as [Float32Array, number[]],
        };
        const attrs = { strides: [s, s], dilations: [d, d], pad, inputShape: x };
        const label = `x=${x} f=${f} m=${m} s=${s} d=${d} pad=${pad}`;
        const reference =
          d === 1 ? undefined : { values: depthwiseInputGradReference(dys, x, fs, filterShape, s, d, pad), shape: x };
        await compare('DepthwiseConv2dNativeBackpropInput', inputs, attrs, label, reference);
      }
});

test('Unpack (unstack) matches cpu on every axis, float32 and int32', async () => {
  const x = random(4 * 3 * 5, 77);
  for (const [axis, dtype] of [
    [0, 'float32'],
    [1, 'float32'],
    [2, 'float32'],
    [-1, 'int32'],
    [0, 'int32'],
  ] as const) {
    const values: number[][][] = [];
    const shapes: number[][][] = [];
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend);
      const t =
        dtype === 'int32'
          ? tf.tensor(
              Int32Array.from(x, (v) => Math.round(v * 100)),
              [4, 3, 5],
              'int32',
            )
          : tf.tensor(x, [4, 3, 5]);
      const parts = tf.unstack(t, axis);
      values.push(parts.map((p) => Array.from(p.dataSync())));
      shapes.push(parts.map((p) => p.shape));
      tf.dispose([t, ...parts]);
    }
    assert.equal(shapes[1], shapes[0], `axis ${axis}: shapes`);
    assert.equal(values[1], values[0], `axis ${axis} ${dtype}: values`);
  }
});

test('UnsortedSegmentSum matches cpu, including duplicate and out-of-range ids', async () => {
  const x = random(6 * 2 * 3, 400);
  await compare(
    'UnsortedSegmentSum',
    { x: [x, [6, 2, 3]], segmentIds: [Int32Array.from([3, 0, 3, 1, 4, 3]), [6]] },
    { numSegments: 5 },
    'in range',
  );
  const want = await runOn(
    'cpu',
    'UnsortedSegmentSum',
    { x: [x, [6, 6]], segmentIds: [Int32Array.from([2, 0, 2, 0, 0, 0]), [6]] },
    { numSegments: 3 },
  );
  await compare(
    'UnsortedSegmentSum',
    { x: [x, [6, 6]], segmentIds: [Int32Array.from([2, -1, 2, 7, 0, 3]), [6]] },
    { numSegments: 3 },
    'out of range',
    {
      values: (() => {
        // Rows with ids -1, 7 and 3 are dropped: same as ids 2,_,2,_,0,_ on kept rows.
        const v = new Float32Array(18);
        for (const [row, id] of [
          [0, 2],
          [2, 2],
          [4, 0],
        ] as const)
          for (let k = 0; k < 6; k++) v[id * 6 + k] += x[row * 6 + k];
        return v;
      })(),
      shape: want.shape,
    },
  );
});

test('MaxPoolGrad matches cpu, first maximum on ties', async () => {
  let seed = 600;
  const cases: Array<{ x: Shape4; f: number; s: number; pad: 'same' | 'valid' | number }> = [
    { x: [2, 8, 8, 3], f: 2, s: 2, pad: 'valid' },
    { x: [2, 7, 9, 2], f: 3, s: 2, pad: 'same' },
    { x: [1, 6, 6, 4], f: 3, s: 1, pad: 'same' },
    { x: [2, 9, 7, 2], f: 2, s: 1, pad: 'valid' },
    { x: [1, 7, 7, 3], f: 3, s: 2, pad: 1 },
    { x: [2, 7, 9, 3], f: 2, s: 2, pad: 'valid' },
    // the 2x2/2 kernel's vector path (4 channels at a time), alone and with a scalar tail
    { x: [2, 6, 10, 8], f: 2, s: 2, pad: 'valid' },
    { x: [2, 7, 9, 6], f: 2, s: 2, pad: 'valid' },
  ];
  for (const { x, f, s, pad } of cases) {
    const xs = random(tf.util.sizeFromShape(x), seed++);
    // Quantised values give many ties, as relu zeros do.
    for (let i = 0; i < xs.length; i++) xs[i] = Math.max(0, Math.round(xs[i] * 4));
    await tf.setBackend('cpu');
    const y = tf.maxPool(tf.tensor4d(xs, x), f, s, pad);
    const yv = (await y.data()) as Float32Array;
    const yShape = y.shape;
    y.dispose();
    await compare(
      'MaxPoolGrad',
      {
        dy: [random(yv.length, seed++), yShape],
        input: [xs, x],
        output: [yv, yShape],
      },
      { filterSize: [f, f], strides: [s, s], pad },
      `x=${x} f=${f} s=${s} pad=${pad}`,
    );
  }
});

type PoolPad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

/**
 * Central finite differences of L(x) = sum(r * avgPool(x)) on the current backend, which is
 * dL/dx = AvgPoolGrad(dy = r). L is linear in x, so a large step is exact up to rounding;
 * L is summed in float64 from the pooled values.
 */
function avgPoolFiniteDiff(
  xs: Float32Array,
  shape: Shape4,
  r: Float32Array,
  f: number,
  s: number,
  pad: PoolPad,
): Float32Array {
  const eps = 0.5;
  const loss = (v: Float32Array): number => {
    const y = tf.tidy(() => tf.avgPool(tf.tensor4d(v, shape), f, s, pad as 'same').dataSync());
    let acc = 0;
    for (let i = 0; i < y.length; i++) acc += r[i] * y[i];
    return acc;
  };
  const grad = new Float32Array(xs.length);
  const v = Float32Array.from(xs);
  for (let i = 0; i < xs.length; i++) {
    v[i] = xs[i] + eps;
    const up = loss(v);
    v[i] = xs[i] - eps;
    const down = loss(v);
    v[i] = xs[i];
    grad[i] = (up - down) / (2 * eps);
  }
  return grad;
}

const avgPoolCases: Array<{ x: Shape4; f: number; s: number; pad: PoolPad }> = [];
for (const x of [
  [2, 5, 6, 3],
  [1, 4, 4, 1],
] as Shape4[])
  for (const f of [2, 3])
    for (const s of [1, 2]) for (const pad of ['same', 'valid'] as const) avgPoolCases.push({ x, f, s, pad });
// Numeric and explicit padding: the forward also leaves padded cells out of the divisor.
avgPoolCases.push(
  { x: [1, 5, 5, 2], f: 3, s: 2, pad: 1 },
  { x: [1, 5, 5, 1], f: 3, s: 1, pad: 2 },
  {
    x: [2, 5, 6, 2],
    f: 3,
    s: 2,
    pad: [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  },
);

test('AvgPoolGrad matches finite differences of the forward avgPool on cpu and wasm', async () => {
  let seed = 1000;
  for (const { x, f, s, pad } of avgPoolCases) {
    const xs = random(tf.util.sizeFromShape(x), seed++);
    const info = tf.backend_util.computePool2DInfo(x, f, s, 1, pad);
    const r = random(tf.util.sizeFromShape(info.outShape), seed++);
    const attrs = { filterSize: [f, f], strides: [s, s], pad } as unknown as tf.NamedAttrMap;
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend);
      const want = avgPoolFiniteDiff(xs, x, r, f, s, pad);
      const got = await runOn(backend, 'AvgPoolGrad', { dy: [r, info.outShape], input: [xs, x] }, attrs);
      assert.equal(got.shape, x);
      const err = maxAbsDiff(got.values, want);
      assert.ok(err < 1e-3, `${backend} x=${x} f=${f} s=${s} pad=${JSON.stringify(pad)}: max error ${err}`);
    }
  }
});

test('AvgPoolGrad through tf.grad: cpu and wasm agree, and the 3x3/1 same case is fixed', async () => {
  // The reported case: tfjs' own kernel was off by 0.27 at the borders here.
  const x: Shape4 = [1, 4, 4, 1];
  const xs = random(16, 1100),
    r = random(16, 1101);
  const grads: Float32Array[] = [];
  for (const backend of ['cpu', 'wasm']) {
    await tf.setBackend(backend);
    const rt = tf.tensor4d(r, x);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(v as tf.Tensor4D, 3, 1, 'same'), rt)))(
      tf.tensor4d(xs, x),
    );
    grads.push((await g.data()) as Float32Array);
    tf.dispose([g, rt]);
    const err = maxAbsDiff(grads[grads.length - 1], avgPoolFiniteDiff(xs, x, r, 3, 1, 'same'));
    assert.ok(err < 1e-4, `${backend}: max error ${err}`);
  }
  assert.ok(maxAbsDiff(grads[0], grads[1]) < 1e-6);
});

test("AvgPoolGrad with 'valid' padding equals tfjs' own kernels", async () => {
  registerCpuKernelFixes();
  const original = originalCpuKernel('AvgPoolGrad');
  assert.ok(original != null, 'the replaced cpu kernel is kept');
  let seed = 1200;
  for (const { x, f, s } of [
    { x: [2, 5, 6, 3] as Shape4, f: 2, s: 2 },
    { x: [1, 7, 7, 4] as Shape4, f: 3, s: 1 },
    { x: [2, 8, 9, 2] as Shape4, f: 3, s: 2 },
  ]) {
    const info = tf.backend_util.computePool2DInfo(x, f, s, 1, 'valid');
    const xs = random(tf.util.sizeFromShape(x), seed++),
      r = random(tf.util.sizeFromShape(info.outShape), seed++);
    const attrs = { filterSize: [f, f], strides: [s, s], pad: 'valid' } as tf.NamedAttrMap;
    const inputs = { dy: [r, info.outShape], input: [xs, x] } as Record<string, [Float32Array, number[]]>;
    for (const backend of ['cpu', 'wasm']) {
      const ours = await runOn(backend, 'AvgPoolGrad', inputs, attrs);
      // runOn left `backend` current: run tfjs' own kernel on it with fresh tensors.
      const dy = tf.tensor(r, info.outShape),
        input = tf.tensor(xs, x);
      const args = { inputs: { dy, input }, backend: tf.backend(), attrs };
      const info2 =
        backend === 'cpu' ? (original!.kernelFunc(args) as tf.TensorInfo) : callBundled('AvgPoolGrad', args);
      const theirs = tf.engine().makeTensorFromTensorInfo(info2);
      const err = maxAbsDiff(ours.values, (await theirs.data()) as Float32Array);
      tf.dispose([dy, input, theirs]);
      assert.ok(err < 1e-6, `${backend} x=${x} f=${f} s=${s}: differs from tfjs' kernel by ${err}`);
    }
  }
});

test('Tile matches cpu for float32 and int32, and keeps bool working', async () => {
  // broadcasts (a native row copy) and true tiles (an Add in a wider view)
  const cases: Array<[number[], number[]]> = [
    [
      [1, 1, 1, 5],
      [3, 4, 2, 1],
    ],
    [
      [3, 1, 1, 4],
      [1, 5, 6, 1],
    ],
    [
      [2, 1, 3],
      [1, 4, 1],
    ],
    [
      [2, 3],
      [2, 2],
    ],
    [[4], [3]],
    [
      [2, 1, 3],
      [1, 4, 2],
    ],
    [
      [2, 3],
      [1, 1],
    ],
  ];
  let seed = 700;
  for (const [shape, reps] of cases) {
    await compare(
      'Tile',
      { x: [random(tf.util.sizeFromShape(shape), seed++), shape] },
      { reps },
      `float ${shape} x ${reps}`,
    );
    const ints = Int32Array.from(random(tf.util.sizeFromShape(shape), seed++), (v) => Math.round(v * 100));
    await compare('Tile', { x: [ints, shape] }, { reps }, `int ${shape} x ${reps}`);
  }
  await tf.setBackend('wasm');
  const b = tf.tile(tf.tensor1d([1, 0], 'bool'), [2]);
  assert.equal(Array.from(await b.data()), [1, 0, 1, 0]);
  b.dispose();
});

test('Slice matches cpu: contiguous blocks, strided blocks up to rank 4, and the rest', async () => {
  let seed = 750;
  const cases: Array<[number[], number[], number[]]> = [
    [
      [6, 4, 3],
      [2, 0, 0],
      [3, 4, 3],
    ],
    [
      [6, 4, 3],
      [1, 1, 0],
      [1, 2, 3],
    ],
    [
      [5, 6],
      [1, 2],
      [3, 3],
    ],
    [
      [2, 5, 6, 7],
      [0, 1, 2, 3],
      [2, 3, 3, 4],
    ],
    [
      [4, 3, 3, 8],
      [0, 0, 0, 2],
      [-1, -1, -1, 5],
    ],
    [[9], [2], [4]],
    [
      [2, 2, 3, 2, 3],
      [0, 1, 0, 1, 0],
      [2, 1, 2, 1, 3],
    ],
    [
      [3, 4],
      [1, 0],
      [0, 4],
    ],
  ];
  for (const [shape, begin, size] of cases) {
    await compare(
      'Slice',
      { x: [random(tf.util.sizeFromShape(shape), seed++), shape] },
      { begin, size },
      `[${shape}] from [${begin}] size [${size}]`,
    );
  }
  await compare(
    'Slice',
    { x: [Int32Array.from({ length: 24 }, (_, i) => i - 5), [2, 3, 4]] },
    { begin: [0, 1, 1], size: [2, 2, 2] },
    'int32',
  );
  await tf.setBackend('wasm');
  const b = tf.slice(tf.tensor1d([1, 0, 1, 1], 'bool'), [1], [2]);
  assert.equal(Array.from(await b.data()), [0, 1]);
  b.dispose();
});

test('gradients of Mean and Sum are dy spread over the reduced axes, on cpu and wasm', async () => {
  const shape = [2, 3, 4, 5];
  const xs = random(120, 760);
  for (const backend of ['cpu', 'wasm']) {
    await tf.setBackend(backend);
    const x = tf.tensor(xs, shape);
    for (const [axis, keepDims] of [
      [[1, 2], false],
      [[0, 1, 2], true],
      [3, false],
    ] as Array<[number | number[], boolean]>) {
      const axes = tf.util.parseAxisParam(axis, shape);
      const count = axes.reduce((n, a) => n * shape[a], 1);
      // L = sum(w * reduce(x)) for fixed weights w over the reduced shape: dL/dx = w spread (/ count)
      const reducedShape = tf.sum(x, axis, keepDims).shape;
      const w = tf.tensor(random(tf.util.sizeFromShape(reducedShape), 762), reducedShape);
      for (const kind of ['mean', 'sum'] as const) {
        const g = tf.grad((v: tf.Tensor) =>
          tf.sum(tf.mul(kind === 'mean' ? tf.mean(v, axis, keepDims) : tf.sum(v, axis, keepDims), w)),
        )(x);
        const want = tf.tidy(() => {
          const spread = tf.broadcastTo(
            tf.reshape(
              w,
              shape.map((d, i) => (axes.includes(i) ? 1 : d)),
            ),
            shape,
          );
          return kind === 'mean' ? tf.div(spread, count) : spread;
        });
        const err = maxAbsDiff((await g.data()) as Float32Array, (await want.data()) as Float32Array);
        assert.ok(err < 1e-6, `${backend} ${kind} axis=${axis}: ${err}`);
        tf.dispose([g, want]);
      }
      w.dispose();
    }
    x.dispose();
  }
});

test("relu's gradient is NasReluGrad on wasm (no Step, no Multiply) with cpu's values, NaN and Inf included", async () => {
  // 4 * 37 + 3 values: the SIMD body and its tail; zeros, negatives, a NaN in x and an Inf in dy
  const n = 151;
  const xs = random(n, 801);
  const dys = random(n, 802);
  for (const i of [0, 5, 150]) xs[i] = 0;
  xs[7] = NaN;
  xs[149] = NaN;
  dys[9] = Infinity;
  xs[9] = -1;
  dys[11] = -Infinity;
  xs[11] = 2;
  const grads: Float32Array[] = [];
  for (const backend of ['cpu', 'wasm']) {
    await tf.setBackend(backend);
    const [x, dy] = [tf.tensor(xs, [151]), tf.tensor(dys, [151])];
    const before = tf.memory().numTensors;
    let g: tf.Tensor | undefined;
    const info = await tf.profile(() => {
      g = tf.grad((v: tf.Tensor) => tf.relu(v))(x, dy);
    });
    const names = info.kernels.map((k) => k.name);
    if (backend === 'wasm')
      assert.ok(
        names.includes('NasReluGrad') && !names.includes('Step') && !names.includes('Multiply'),
        names.join(','),
      );
    else assert.ok(names.includes('Step'), names.join(','));
    grads.push((await g!.data()) as Float32Array);
    g!.dispose();
    assert.is(tf.memory().numTensors, before, `${backend}: no tensor left behind`);
    tf.dispose([x, dy]);
  }
  const [cpu, wasm] = grads;
  for (let i = 0; i < n; i++) {
    const want = xs[i] > 0 ? dys[i] : Number.isNaN(xs[i]) ? NaN : dys[i] * 0;
    // Object.is for NaN, === so that 0 and -0 (dy * 0 for a negative dy) compare equal
    assert.ok(Object.is(cpu[i], want) || cpu[i] === want, `cpu [${i}]: ${cpu[i]} vs ${want}`);
    assert.ok(Object.is(wasm[i], cpu[i]) || wasm[i] === cpu[i], `wasm [${i}]: ${wasm[i]} vs cpu ${cpu[i]}`);
  }
});

test("Max's gradient is NasMaxGrad on wasm over a run of axes, with cpu's values (ties, Inf in dy)", async () => {
  const shape = [3, 7, 5];
  // a coarse grid, so that several positions share a maximum
  const xs = random(105, 806).map((v) => Math.round(v * 4));
  // [axes, keepDims, native]: the middle axis (a global max pool over steps), the first and last,
  // two axes, and two that are not one run (tfjs' composition then)
  const cases: Array<[number[], boolean, boolean]> = [
    [[1], false, true],
    [[0], true, true],
    [[2], false, true],
    [[1, 2], false, true],
    [[0, 2], false, false],
  ];
  for (const [axes, keepDims, native] of cases) {
    const out: Float32Array[] = [];
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend);
      const x = tf.tensor(xs, shape);
      const reduced = tf.max(x, axes, keepDims).shape;
      const ws = random(tf.util.sizeFromShape(reduced), 807);
      ws[1] = Infinity;
      const w = tf.tensor(ws, reduced);
      let g: tf.Tensor | undefined;
      const info = await tf.profile(() => {
        g = tf.grad((v: tf.Tensor) => tf.mul(tf.max(v, axes, keepDims), w))(x, tf.onesLike(w));
      });
      if (backend === 'wasm') {
        const names = info.kernels.map((k) => k.name);
        assert.is(names.includes('NasMaxGrad'), native, `axes ${axes}: ${names.join(',')}`);
      }
      out.push((await g!.data()) as Float32Array);
      tf.dispose([x, w, g!]);
    }
    assert.ok(
      out[0].some((v) => v !== 0),
      'some gradient',
    );
    for (let i = 0; i < out[0].length; i++)
      assert.ok(
        Object.is(out[1][i], out[0][i]) || out[1][i] === out[0][i],
        `axes ${axes} [${i}]: ${out[1][i]} vs cpu ${out[0][i]}`,
      );
  }
});

test("relu's second-order gradient goes through NasReluGrad on wasm as through Step on cpu", async () => {
  const xs = random(30, 803);
  const vs = random(30, 804);
  const us = random(30, 805);
  const out: Float32Array[] = [];
  for (const backend of ['cpu', 'wasm']) {
    await tf.setBackend(backend);
    const [x, v, u] = [tf.tensor(xs), tf.tensor(vs), tf.tensor(us)];
    // d/dv sum(u * d/dx sum(relu(x) * v)) = u * step(x)
    const g = tf.grad((w: tf.Tensor) => tf.sum(tf.mul(tf.grad((y: tf.Tensor) => tf.sum(tf.mul(tf.relu(y), w)))(x), u)))(
      v,
    );
    out.push((await g.data()) as Float32Array);
    tf.dispose([g, x, v, u]);
  }
  for (let i = 0; i < 30; i++) assert.is(out[1][i], xs[i] > 0 ? Math.fround(us[i]) : 0, `[${i}]`);
  assert.equal(Array.from(out[1]), Array.from(out[0]));
});

test('BatchMatMul matches cpu with either operand transposed, batched and broadcast', async () => {
  let seed = 740;
  // [a shape, b shape, transposeA, transposeB]: both orders of computing (small or large right
  // operand), batches, a broadcast batch, and reductions over several blocks of 256 with a tail
  // (rows, columns and reduction all off the register tiles)
  const cases: Array<[number[], number[], boolean, boolean]> = [
    [[1, 7, 600], [1, 600, 13], false, false],
    [[2, 600, 6], [1, 600, 10], true, false],
    [[1, 5, 70], [1, 9, 70], false, true],
    [[1, 70, 5], [1, 70, 9], true, false],
    [[1, 6, 3], [1, 40, 3], false, true],
    [[2, 4, 6], [2, 5, 4], true, true],
    [[3, 7, 5], [1, 6, 5], false, true],
    [[1, 8, 33], [4, 8, 2], true, false],
    [[2, 3, 4], [2, 4, 5], false, false],
    // a tall A over a small B: rows in chunks of 32 (75 = 32 + 32 + 11), and batched
    [[1, 75, 20], [1, 20, 13], false, false],
    [[2, 70, 9], [1, 9, 12], false, false],
  ];
  for (const [a, b, transposeA, transposeB] of cases) {
    await compare(
      'BatchMatMul',
      { a: [random(tf.util.sizeFromShape(a), seed++), a], b: [random(tf.util.sizeFromShape(b), seed++), b] },
      { transposeA, transposeB },
      `[${a}]${transposeA ? 'T' : ''} x [${b}]${transposeB ? 'T' : ''}`,
    );
  }
});

test('GatherV2 matches cpu on every axis, short and long runs, int32 data, 2-D and repeated indices; out of range throws', async () => {
  let seed = 780;
  // [x shape, indices, indices shape, axis]: a batch out of a training set (runs of 48 > 32), labels
  // (runs of 3), a middle and the last axis, 2-D indices
  const cases: Array<[number[], number[], number[], number]> = [
    [[9, 4, 4, 3], [8, 0, 3, 3, 5], [5], 0],
    [[9, 3], [2, 7, 7, 0], [4], 0],
    [[3, 6, 5], [5, 0, 1], [3], 1],
    [[4, 7], [6, 6, 1], [3], -1],
    [[10, 40], [1, 9, 4, 2, 0, 8], [2, 3], 0],
  ];
  for (const [shape, idx, idxShape, axis] of cases) {
    await compare(
      'GatherV2',
      { x: [random(tf.util.sizeFromShape(shape), seed++), shape], indices: [Int32Array.from(idx), idxShape] },
      { axis, batchDims: 0 },
      `gather [${shape}] axis ${axis} at [${idx}]`,
    );
  }
  await compare(
    'GatherV2',
    { x: [Int32Array.from({ length: 12 }, (_, i) => i * 3 - 7), [4, 3]], indices: [Int32Array.from([3, 1]), [2]] },
    { axis: 0, batchDims: 0 },
    'int32 gather',
  );
  await tf.setBackend('wasm');
  const x = tf.ones([4, 2]);
  for (const bad of [4, -1]) {
    const at = tf.tensor1d([0, bad], 'int32');
    assert.throws(() => tf.gather(x, at), /index value .* not in \[0, 3\]/, `index ${bad}`);
    at.dispose();
  }
  x.dispose();
});

test('Sum and Mean match cpu on leading, trailing and mixed axes', async () => {
  let seed = 800;
  const cases: Array<[number[], number | number[], boolean]> = [
    [[4, 5, 6, 3], [0, 1, 2], false],
    [[4, 5, 6, 3], [2, 0, 1], true],
    [[4, 5, 6, 3], 0, false],
    [[4, 5, 6, 3], [1, 2], false],
    [[4, 5, 6, 3], [0, 1, 2, 3], false],
    [[4, 5, 6, 3], -1, true],
    [[7, 9], [0], true],
    [[1, 6], [0], false],
  ];
  for (const kernel of ['Sum', 'Mean'])
    for (const [shape, axis, keepDims] of cases) {
      const xs = random(tf.util.sizeFromShape(shape), seed++);
      await compare(kernel, { x: [xs, shape] }, { axis, keepDims }, `${kernel} ${shape} axis=${axis} keep=${keepDims}`);
    }
  await compare(
    'Sum',
    { x: [Int32Array.from([1, 2, 3, 4, 5, 6]), [3, 2]] },
    { axis: [0], keepDims: false },
    'int32 sum',
  );
  // NaN and Inf propagate as in cpu's sum (an XNNPACK average pool clamps NaN to -Infinity), in
  // the 16-column blocks, the 4-column ones and the scalar rest
  const xs = random(7 * 23, seed);
  for (const [i, v] of [
    [1, NaN],
    [23 * 3 + 17, NaN],
    [23 * 6 + 22, NaN],
    [23 * 2 + 5, Infinity],
    [23 * 4 + 5, -Infinity],
    [23 * 5 + 9, Infinity],
  ])
    xs[i] = v;
  for (const kernel of ['Sum', 'Mean']) {
    const cpu = await runOn('cpu', kernel, { x: [xs, [7, 23]] }, { axis: 0 });
    const wasm = await runOn('wasm', kernel, { x: [xs, [7, 23]] }, { axis: 0 });
    for (let c = 0; c < 23; c++) {
      const [w, want] = [wasm.values[c], cpu.values[c]];
      if (!Number.isFinite(want)) assert.ok(Object.is(w, want), `${kernel} [${c}]: ${w} vs cpu ${want}`);
      else assert.ok(Math.abs(w - want) < 1e-5, `${kernel} [${c}]: ${w} vs cpu ${want}`);
    }
    assert.ok(
      Number.isNaN(wasm.values[1]) &&
        Number.isNaN(wasm.values[17]) &&
        Number.isNaN(wasm.values[22]) &&
        wasm.values[9] === Infinity,
    );
  }
});

test('a worker thread gets wasm with the training kernels from initBackend', async () => {
  const backendUrl = new URL('../engine/training/backend.js', import.meta.url).href;
  const source = `
    const {parentPort} = require('node:worker_threads');
    (async () => {
      const tf = await import('@tensorflow/tfjs');
      const {initBackend} = await import(${JSON.stringify(backendUrl)});
      const name = await initBackend('auto');
      const x = tf.ones([2, 6, 6, 3]);
      const f = tf.ones([3, 3, 3, 4]);
      const g = tf.grad((w) => tf.conv2d(x, w, 1, 'same').sum())(f);
      parentPort.postMessage({name, sum: (await g.sum().data())[0]});
    })().catch((e) => parentPort.postMessage({error: String(e)}));`;
  const worker = new Worker(source, { eval: true });
  const reply = await new Promise<{ name?: string; sum?: number; error?: string }>((resolve) =>
    worker.once('message', resolve),
  );
  await worker.terminate();
  assert.is(reply.error, undefined);
  assert.is(reply.name, 'wasm');
  // Tap (da,db) of a 3x3 'same' conv over 6x6 ones sees (6-|da|)(6-|db|) positions, which
  // sum to (5+6+5)^2 = 256 over the taps; times 2 samples, 3 in- and 4 out-channels.
  assert.is(reply.sum, 2 * 256 * 3 * 4);
});

test('no tensors or wasm memory leak from the composed kernels', async () => {
  await tf.setBackend('wasm');
  const x = tf.tensor(random(2 * 8 * 8 * 3, 500), [2, 8, 8, 3]);
  const f = tf.tensor(random(3 * 3 * 3 * 4, 501), [3, 3, 3, 4]);
  const dwf = tf.tensor(random(3 * 3 * 3 * 2, 502), [3, 3, 3, 2]);
  const before = tf.memory().numTensors;
  const backend = tf.backend() as unknown as { numDataIds(): number };
  const idsBefore = backend.numDataIds();
  for (let i = 0; i < 3; i++) {
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
      tf.add(
        tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same').sum(),
        tf.depthwiseConv2d(a as tf.Tensor4D, c as tf.Tensor4D, 1, 'valid').sum(),
      ),
    )([x, f, dwf]);
    tf.dispose(grads);
  }
  assert.is(tf.memory().numTensors, before);
  assert.is(backend.numDataIds(), idsBefore);
  tf.dispose([x, f, dwf]);
});

test.run();
