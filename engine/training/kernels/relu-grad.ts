/**
 * NasReluGrad, a kernel of our own (wasm only): relu's gradient dy * step(x) in one native pass
 * (see native/kernels.c). tfjs's gradient runs Step and Multiply, two passes and a mask tensor
 * the size of every relu activation, on every training step. gradients.ts routes Relu's
 * gradient here where this kernel is registered.
 */
import * as tf from '@tensorflow/tfjs';
import { asWasm, type TensorInfo } from './wasm-ops.js';
import { heapOffset, nativeKernels } from './native/module.js';

export const RELU_GRAD = 'NasReluGrad';

function reluGrad(args: Parameters<tf.KernelFunc>[0]): TensorInfo {
  const backend = asWasm(args.backend);
  const { dy, x } = args.inputs as unknown as Record<'dy' | 'x', TensorInfo>;
  const out = backend.makeOutput(x.shape, 'float32');
  nativeKernels(backend).relu_grad(
    heapOffset(backend, dy),
    heapOffset(backend, x),
    heapOffset(backend, out),
    tf.util.sizeFromShape(x.shape),
  );
  return out;
}

export const reluGradConfig: tf.KernelConfig = {
  kernelName: RELU_GRAD,
  backendName: 'wasm',
  kernelFunc: reluGrad,
};

/** dy * step(x), as tfjs computes relu's gradient: through NasReluGrad where registered (wasm). */
export function reluGradient(dy: tf.Tensor, x: tf.Tensor): tf.Tensor {
  if (x.dtype === 'float32' && dy.dtype === 'float32' && tf.getKernel(RELU_GRAD, tf.getBackend()) !== undefined) {
    return tf.engine().runKernel(RELU_GRAD, { dy, x }) as tf.Tensor;
  }
  return tf.mul(dy, tf.cast(tf.step(x), 'float32'));
}
