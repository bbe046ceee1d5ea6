/**
 * Sum and Mean for the wasm backend when they reduce the leading axes of a float32 tensor
 * (bias and batch-norm gradients, batch-norm moments: [N,H,W,C] over [0,1,2]): one native pass
 * over x viewed as [rows, cols] (sum_rows in native/kernels.c).
 *
 * The bundled kernels first transpose the reduced axes innermost (~1.7 ms for a fresh
 * [64,14,14,32] over [0,1,2]). An XNNPACK average pool over [rows, 1] windows is as fast, but it
 * clamps its output, which turns NaN into -Infinity: a diverging layer's bias gradient would
 * then differ from cpu's. Other reductions go to the bundled kernels.
 */
import * as tf from '@tensorflow/tfjs';
import { callBundled } from './bundled.js';
import { asWasm, type TensorInfo } from './wasm-ops.js';
import { heapOffset, nativeKernels } from './native/module.js';

type Args = Parameters<tf.KernelFunc>[0];

/** Number of leading axes reduced, or 0 when the reduction is not a leading block. */
function leadingCount(axis: number | number[], rank: number): number {
  const axes = [...new Set(tf.util.parseAxisParam(axis, new Array<number>(rank).fill(1)))].sort((a, b) => a - b);
  return axes.every((a, i) => a === i) ? axes.length : 0;
}

function reduceLeading(name: 'Sum' | 'Mean', args: Args): TensorInfo {
  const { axis, keepDims } = (args.attrs ?? {}) as unknown as tf.SumAttrs;
  const { x } = args.inputs as unknown as { x: TensorInfo };
  const k = leadingCount(axis, x.shape.length);
  const rows = tf.util.sizeFromShape(x.shape.slice(0, k));
  const cols = tf.util.sizeFromShape(x.shape.slice(k));
  if (x.dtype !== 'float32' || k === 0 || rows < 2 || cols === 0) return callBundled(name, args);
  const backend = asWasm(args.backend);
  const rest = x.shape.slice(k);
  const out = backend.makeOutput(keepDims ? [...new Array<number>(k).fill(1), ...rest] : rest, 'float32');
  nativeKernels(backend).sum_rows(
    heapOffset(backend, x),
    heapOffset(backend, out),
    rows,
    cols,
    name === 'Mean' ? 1 / rows : 1,
  );
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
