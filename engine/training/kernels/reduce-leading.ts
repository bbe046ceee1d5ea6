/**
 * Sum and Mean for the wasm backend when they reduce the leading axes of a float32 tensor
 * (bias and batch-norm gradients, batch-norm moments: [N,H,W,C] over [0,1,2]).
 *
 * The bundled kernels first transpose the reduced axes innermost, which for these shapes
 * costs ~15x the arithmetic. A product ones[1,R] x X[R,C] reads X once in order on
 * XNNPACK's GEMM. Other reductions go to the bundled kernels.
 */
import * as tf from '@tensorflow/tfjs';
import {callBundled} from './bundled.js';
import {asWasm, call, dispose, reshape, type TensorInfo} from './wasm-ops.js';

type Args = Parameters<tf.KernelFunc>[0];

/** Number of leading axes reduced, or 0 when the reduction is not a leading block. */
function leadingCount(axis: number | number[], rank: number): number {
  const axes = [...new Set(tf.util.parseAxisParam(axis, new Array<number>(rank).fill(1)))].sort((a, b) => a - b);
  return axes.every((a, i) => a === i) ? axes.length : 0;
}

function reduceLeading(name: 'Sum' | 'Mean', args: Args): TensorInfo {
  const {axis, keepDims} = (args.attrs ?? {}) as unknown as tf.SumAttrs;
  const {x} = args.inputs as unknown as {x: TensorInfo};
  const k = leadingCount(axis, x.shape.length);
  const rows = tf.util.sizeFromShape(x.shape.slice(0, k));
  const cols = tf.util.sizeFromShape(x.shape.slice(k));
  if (x.dtype !== 'float32' || k === 0 || rows < 2 || cols === 0) return callBundled(name, args);
  const backend = asWasm(args.backend);
  const weights = call('Fill', backend, {}, {shape: [1, 1, rows], value: name === 'Mean' ? 1 / rows : 1, dtype: 'float32'});
  const x3 = reshape(backend, x, [1, rows, cols]);
  const prod = call('BatchMatMul', backend, {a: weights, b: x3}, {transposeA: false, transposeB: false});
  const rest = x.shape.slice(k);
  const out = reshape(backend, prod, keepDims ? [...new Array<number>(k).fill(1), ...rest] : rest);
  dispose(backend, weights, x3, prod);
  return out;
}

export const sumConfig: tf.KernelConfig = {
  kernelName: 'Sum',
  backendName: 'wasm',
  kernelFunc: (args) => reduceLeading('Sum', args),
};

export const meanConfig: tf.KernelConfig = {
  kernelName: 'Mean',
  backendName: 'wasm',
  kernelFunc: (args) => reduceLeading('Mean', args),
};
