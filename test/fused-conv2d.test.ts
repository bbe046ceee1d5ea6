/**
 * NasFusedConv2D: tf.fused.conv2d in training (conv -> bias -> relu) as one wasm kernel. Its
 * output and its gradients (input, filter, bias) must equal cpu's unfused Conv2D, Add and Relu,
 * and tf.fused.conv2d must reach it only where it applies.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../engine/training/backend.js';
import { FUSED_CONV2D } from '../engine/training/kernels/fused-conv2d.js';
import { random } from './helpers/random.js';

type Shape4 = [number, number, number, number];
type Activation = 'relu' | 'linear';

interface Case {
  x: Shape4;
  f: [number, number];
  cout: number;
  stride: number;
  pad: 'same' | 'valid' | number;
  bias: boolean;
  activation: Activation;
}

interface Outcome {
  y: Float32Array;
  grads: Float32Array[];
  kernels: string[];
}

/** y = fused conv2d, and the gradients of sum(y * dy) with respect to x, filter and bias, on one backend. */
async function run(backend: 'cpu' | 'wasm', c: Case, seed: number, xValues?: Float32Array): Promise<Outcome> {
  await tf.setBackend(backend);
  const fShape: Shape4 = [c.f[0], c.f[1], c.x[3], c.cout];
  const x = tf.tensor4d(xValues ?? random(tf.util.sizeFromShape(c.x), seed), c.x);
  const filter = tf.tensor4d(random(tf.util.sizeFromShape(fShape), seed + 1), fShape);
  const bias = tf.tensor1d(random(c.cout, seed + 2));
  const before = tf.memory().numTensors;
  const conv = (xi: tf.Tensor4D, fi: tf.Tensor4D, bi?: tf.Tensor1D) =>
    tf.fused.conv2d({ x: xi, filter: fi, strides: c.stride, pad: c.pad, bias: bi, activation: c.activation });
  const g = tf.backend_util.computeConv2DInfo(c.x, fShape, c.stride, 1, c.pad);
  const shape = [c.x[0], g.outHeight, g.outWidth, c.cout];
  let y: tf.Tensor | undefined;
  let grads: tf.Tensor[] = [];
  const info = await tf.profile(() => {
    const dy = tf.tensor(random(tf.util.sizeFromShape(shape), seed + 3), shape);
    const f = (...args: tf.Tensor[]) => {
      const out = conv(args[0] as tf.Tensor4D, args[1] as tf.Tensor4D, c.bias ? (args[2] as tf.Tensor1D) : undefined);
      y = tf.keep(out.clone());
      return tf.sum(tf.mul(out, dy));
    };
    grads = tf.grads(f)(c.bias ? [x, filter, bias] : [x, filter]);
    dy.dispose();
  });
  const out: Outcome = {
    y: (await y!.data()) as Float32Array,
    grads: await Promise.all(grads.map(async (g) => (await g.data()) as Float32Array)),
    kernels: info.kernels.map((k) => k.name),
  };
  tf.dispose([y!, ...grads]);
  assert.is(tf.memory().numTensors, before, `${backend}: everything the op and its gradient made is gone`);
  tf.dispose([x, filter, bias]);
  return out;
}

function close(got: Float32Array, want: Float32Array, label: string): void {
  assert.is(got.length, want.length, `${label}: length`);
  let scale = 1;
  let err = 0;
  for (let i = 0; i < want.length; i++) {
    if (Number.isNaN(want[i]) || Number.isNaN(got[i])) {
      assert.ok(Number.isNaN(want[i]) && Number.isNaN(got[i]), `${label} [${i}]: ${got[i]} vs ${want[i]}`);
      continue;
    }
    scale = Math.max(scale, Math.abs(want[i]));
    err = Math.max(err, Math.abs(got[i] - want[i]));
  }
  assert.ok(err < 1e-4 * scale, `${label}: max abs error ${err} (largest value ${scale})`);
}

test.before(async () => {
  assert.is(await initBackend('wasm'), 'wasm');
});

test('fused conv2d in training matches cpu: output and the gradients of input, filter and bias', async () => {
  const shapes: Array<Pick<Case, 'x' | 'f' | 'cout'>> = [
    { x: [2, 7, 7, 3], f: [3, 3], cout: 4 },
    { x: [2, 9, 7, 1], f: [5, 5], cout: 13 }, // one input channel; channels in blocks of 8, 4 and 1
    { x: [1, 8, 6, 5], f: [2, 3], cout: 6 },
  ];
  let seed = 1;
  for (const s of shapes)
    for (const stride of [1, 2])
      for (const pad of ['same', 'valid', 1] as const)
        for (const activation of ['relu', 'linear'] as const)
          for (const bias of [true, false]) {
            const c: Case = { ...s, stride, pad, bias, activation };
            const label = JSON.stringify(c);
            const cpu = await run('cpu', c, seed);
            const wasm = await run('wasm', c, seed);
            seed += 10;
            assert.ok(wasm.kernels.includes(FUSED_CONV2D), `${label}: wasm ran ${wasm.kernels.join(',')}`);
            for (const k of ['Conv2D', 'Add', 'Relu', 'FusedConv2D'])
              assert.not.ok(wasm.kernels.includes(k), `${label}: wasm ran ${k}`);
            close(wasm.y, cpu.y, `${label} y`);
            assert.is(wasm.grads.length, cpu.grads.length);
            wasm.grads.forEach((g, i) => close(g, cpu.grads[i], `${label} ${['dx', 'dfilter', 'dbias'][i]}`));
          }
});

test('fused conv2d keeps NaN through relu as tfjs does', async () => {
  const c: Case = { x: [1, 5, 5, 2], f: [3, 3], cout: 5, stride: 1, pad: 'same', bias: true, activation: 'relu' };
  const xs = random(50, 77);
  xs[12] = NaN;
  const cpu = await run('cpu', c, 70, xs);
  const wasm = await run('wasm', c, 70, xs);
  assert.ok(cpu.y.some(Number.isNaN), 'the NaN reaches the output');
  close(wasm.y, cpu.y, 'y');
  wasm.grads.forEach((g, i) => close(g, cpu.grads[i], ['dx', 'dfilter', 'dbias'][i]));
});

test('tf.fused.conv2d reaches NasFusedConv2D on wasm, in training and inference, with relu or linear and no dilation', async () => {
  await tf.setBackend('wasm');
  const x = tf.tensor4d(random(2 * 6 * 6 * 3, 5), [2, 6, 6, 3]);
  const filter = tf.tensor4d(random(3 * 3 * 3 * 4, 6), [3, 3, 3, 4]);
  const bias = tf.tensor1d(random(4, 7));
  const kernels = async (f: () => void) => (await tf.profile(() => void tf.tidy(f))).kernels.map((k) => k.name);
  const conv = (extra: Partial<Parameters<typeof tf.fused.conv2d>[0]>) => (v: tf.Tensor) =>
    tf.sum(
      tf.fused.conv2d({ x: v as tf.Tensor4D, filter, strides: 1, pad: 'same', bias, activation: 'relu', ...extra }),
    );
  assert.ok((await kernels(() => tf.grad(conv({}))(x))).includes(FUSED_CONV2D), 'training');
  const inference = await kernels(() => conv({})(x));
  assert.ok(
    inference.includes(FUSED_CONV2D) && !inference.includes('FusedConv2D'),
    `inference: ${inference.join(',')}`,
  );
  const linear = await kernels(() => conv({ activation: 'linear', bias: undefined })(x));
  assert.ok(linear.includes(FUSED_CONV2D), `linear, no bias: ${linear.join(',')}`);
  assert.not.ok((await kernels(() => tf.grad(conv({ activation: 'elu' }))(x))).includes(FUSED_CONV2D), 'elu');
  // tfjs's own conv2d gradient then throws (it has none for dilations above 1): the forward pass is what counts here
  const dilated = await kernels(() => {
    try {
      tf.grad(conv({ dilations: 2 }))(x);
    } catch {
      // only which kernels ran matters here, not whether this gradient exists
    }
  });
  assert.ok(dilated.includes('Conv2D') && !dilated.includes(FUSED_CONV2D), `dilation 2: ${dilated.join(',')}`);
  await tf.setBackend('cpu');
  const [xc, fc, bc] = [tf.clone(x), tf.clone(filter), tf.clone(bias)];
  const onCpu = await kernels(() =>
    tf.grad((v: tf.Tensor) =>
      tf.sum(
        tf.fused.conv2d({ x: v as tf.Tensor4D, filter: fc, strides: 1, pad: 'same', bias: bc, activation: 'relu' }),
      ),
    )(xc),
  );
  assert.not.ok(onCpu.includes(FUSED_CONV2D), 'cpu');
  tf.dispose([xc, fc, bc]);
  await tf.setBackend('wasm');
  tf.dispose([x, filter, bias]);
});

test.run();
