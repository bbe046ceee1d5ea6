/**
 * Sum and Mean for the wasm backend when they reduce the leading axes of a float32 tensor
 * (bias and batch-norm gradients, batch-norm moments: [N,H,W,C] over [0,1,2]).
 *
 * The bundled kernels first transpose the reduced axes innermost (~1.7 ms for a fresh
 * [64,14,14,32] over [0,1,2]). Viewed as [1,R,1,C], the same mean is one XNNPACK average
 * pool with an [R,1] window (~0.06 ms); the sum is that times R. A GEMM ones[1,R] x X[R,C]
 * is fast only when X is reused: XNNPACK packs the weight operand on every new tensor.
 * Other reductions go to the bundled kernels.
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
  const x4 = reshape(backend, x, [1, rows, 1, cols]);
  let result = call('AvgPool', backend, {x: x4}, {filterSize: [rows, 1], strides: [1, 1], pad: 'valid'});
  dispose(backend, x4);
  if (name === 'Sum') {
    const count = call('Fill', backend, {}, {shape: [], value: rows, dtype: 'float32'});
    const scaled = call('Multiply', backend, {a: result, b: count});
    dispose(backend, count, result);
    result = scaled;
  }
  const rest = x.shape.slice(k);
  const out = reshape(backend, result, keepDims ? [...new Array<number>(k).fill(1), ...rest] : rest);
  dispose(backend, result);
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
