/**
 * NasAdamUpdate, a kernel of our own (wasm only): one Adam step for one variable in a single
 * native pass, returning [w', m', v'] (see native/kernels.c). Used by FusedAdamOptimizer
 * (../model/fused-adam.ts) instead of tfjs's fourteen elementwise kernels per variable, whose
 * passes over a large dense kernel (a flatten head: 800k weights) cost more than its matmuls.
 */
import * as tf from '@tensorflow/tfjs';
import {asWasm, type TensorInfo} from './wasm-ops.js';
import {heapOffset, nativeKernels} from './native/module.js';

export const ADAM_UPDATE = 'NasAdamUpdate';

export interface AdamUpdateAttrs {
  beta1: number;
  beta2: number;
  /** 1 - beta1^t and 1 - beta2^t (bias corrections). */
  oneMinusAccBeta1: number;
  oneMinusAccBeta2: number;
  learningRate: number;
  epsilon: number;
}

function adamUpdate(args: Parameters<tf.KernelFunc>[0]): TensorInfo[] {
  const backend = asWasm(args.backend);
  const {w, g, m, v} = args.inputs as unknown as Record<'w' | 'g' | 'm' | 'v', TensorInfo>;
  const a = args.attrs as unknown as AdamUpdateAttrs;
  const outs = [backend.makeOutput(w.shape, 'float32'), backend.makeOutput(w.shape, 'float32'), backend.makeOutput(w.shape, 'float32')];
  const [wOut, mOut, vOut] = outs.map((t) => heapOffset(backend, t));
  nativeKernels(backend).adam_update(heapOffset(backend, w), heapOffset(backend, g), heapOffset(backend, m), heapOffset(backend, v),
                                     wOut, mOut, vOut, tf.util.sizeFromShape(w.shape), a.beta1, a.beta2, a.oneMinusAccBeta1,
                                     a.oneMinusAccBeta2, a.learningRate, a.epsilon);
  return outs;
}

export const adamUpdateConfig: tf.KernelConfig = {
  kernelName: ADAM_UPDATE,
  backendName: 'wasm',
  kernelFunc: adamUpdate,
};
