/**
 * NasMaxGrad, a kernel of our own (wasm only): Max's gradient dy * (x == y) in one native pass
 * (max_grad_mid in native/kernels.c) when the reduced axes are one contiguous run, as in a global
 * max pool over a sequence's steps. gradients.ts used to broadcast dy and y to x's shape (two Tiles)
 * before an Equal, a Cast and a Multiply: five passes and four x-sized tensors per step, ~3 of a
 * conv1d model's 64 ms training step (batch 64, 200 steps, 64 channels).
 */
import * as tf from '@tensorflow/tfjs';
import { asWasm, type TensorInfo } from './wasm-ops.js';
import { heapOffset, nativeKernels } from './native/module.js';

export const MAX_GRAD = 'NasMaxGrad';

export interface MaxGradAttrs {
  /** x viewed as [outer, mid, inner], mid the reduced axes. */
  outer: number;
  mid: number;
  inner: number;
}

function maxGrad(args: Parameters<tf.KernelFunc>[0]): TensorInfo {
  const backend = asWasm(args.backend);
  const { dy, x, y } = args.inputs as unknown as Record<'dy' | 'x' | 'y', TensorInfo>;
  const a = args.attrs as unknown as MaxGradAttrs;
  const dx = backend.makeOutput(x.shape, 'float32');
  const at = (t: TensorInfo) => heapOffset(backend, t);
  nativeKernels(backend).max_grad_mid(at(x), at(y), at(dy), at(dx), a.outer, a.mid, a.inner);
  return dx;
}

export const maxGradConfig: tf.KernelConfig = {
  kernelName: MAX_GRAD,
  backendName: 'wasm',
  kernelFunc: maxGrad,
};

/**
 * dy * (x == y) for y = max(x, axes) (dy and y of y's shape, reduced axes kept or not): through
 * NasMaxGrad where registered and the axes are one contiguous run, else undefined.
 */
export function nativeMaxGradient(dy: tf.Tensor, x: tf.Tensor, y: tf.Tensor, axes: number[]): tf.Tensor | undefined {
  const sorted = [...axes].sort((p, q) => p - q);
  const contiguous = sorted.every((a, i) => a === sorted[0] + i);
  if (!contiguous || sorted.length === 0) return undefined;
  if (x.dtype !== 'float32' || dy.dtype !== 'float32' || y.dtype !== 'float32') return undefined;
  if (tf.getKernel(MAX_GRAD, tf.getBackend()) === undefined) return undefined;
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  const attrs: MaxGradAttrs = {
    outer: tf.util.sizeFromShape(x.shape.slice(0, first)),
    mid: tf.util.sizeFromShape(x.shape.slice(first, last + 1)),
    inner: tf.util.sizeFromShape(x.shape.slice(last + 1)),
  };
  return tf.engine().runKernel(MAX_GRAD, { dy, x, y }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}
