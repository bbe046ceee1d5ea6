/**
 * NasAdamUpdate, a kernel of our own (wasm only): one Adam step for one variable in a single
 * native pass, returning [w', m', v'] (see native/kernels.c). Used by FusedAdamOptimizer
 * (../model/fused-adam.ts) instead of tfjs's fourteen elementwise kernels per variable, whose
 * passes over a large dense kernel (a flatten head: 800k weights) cost more than its matmuls.
 *
 * With `inPlace`, when m and v are each held by one tensor alone (the optimizer's moment variables,
 * which nothing else reads), the new moments are written over them and the outputs share their data;
 * else new buffers. That is two of the three buffers a step writes, and no allocation for them. The
 * weights always get new data: the bundled XNNPACK kernels (_FusedMatMul, FusedConv2D) cache their
 * packed filter by data id and would keep using the old weights. Only the optimizer may ask for it,
 * outside any gradient tape: a tape would keep the old m and v.
 */
import * as tf from '@tensorflow/tfjs';
import { asWasm, share, type TensorInfo, type WasmBackend } from './wasm-ops.js';
import { heapOffset, nativeKernels } from './native/module.js';

export const ADAM_UPDATE = 'NasAdamUpdate';

export interface AdamUpdateAttrs {
  beta1: number;
  beta2: number;
  /** 1 - beta1^t and 1 - beta2^t (bias corrections). */
  oneMinusAccBeta1: number;
  oneMinusAccBeta2: number;
  learningRate: number;
  epsilon: number;
  /** Write the new moments over m and v where nothing else holds their data. */
  inPlace?: boolean;
}

function adamUpdate(args: Parameters<tf.KernelFunc>[0]): TensorInfo[] {
  const backend = asWasm(args.backend);
  const { w, g, m, v } = args.inputs as unknown as Record<'w' | 'g' | 'm' | 'v', TensorInfo>;
  const a = args.attrs as unknown as AdamUpdateAttrs;
  const moments =
    a.inPlace === true && soleOwners(backend, [m, v], [w, g])
      ? [share(backend, m), share(backend, v)]
      : [backend.makeOutput(w.shape, 'float32'), backend.makeOutput(w.shape, 'float32')];
  const outs = [backend.makeOutput(w.shape, 'float32'), ...moments];
  const [wOut, mOut, vOut] = outs.map((t) => heapOffset(backend, t));
  nativeKernels(backend).adam_update(
    heapOffset(backend, w),
    heapOffset(backend, g),
    heapOffset(backend, m),
    heapOffset(backend, v),
    wOut,
    mOut,
    vOut,
    tf.util.sizeFromShape(w.shape),
    a.beta1,
    a.beta2,
    a.oneMinusAccBeta1,
    a.oneMinusAccBeta2,
    a.learningRate,
    a.epsilon,
  );
  return outs;
}

/** Whether each of `held` is the only tensor on its data (so also none of `others`). */
function soleOwners(backend: WasmBackend, held: TensorInfo[], others: TensorInfo[]): boolean {
  const ids = new Set(held.map((t) => t.dataId));
  return (
    ids.size === held.length &&
    others.every((t) => !ids.has(t.dataId)) &&
    held.every((t) => backend.refCount(t.dataId) === 1)
  );
}

export const adamUpdateConfig: tf.KernelConfig = {
  kernelName: ADAM_UPDATE,
  backendName: 'wasm',
  kernelFunc: adamUpdate,
};
