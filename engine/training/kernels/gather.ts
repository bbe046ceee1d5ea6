/**
 * GatherV2 for the wasm backend (batchDims 0, numeric dtypes), as block copies: each gathered
 * index copies its contiguous run of inner elements (native for 4-byte elements, gather_rows in
 * native/kernels.c; a JS loop for bool). The bundled kernel computes every element's
 * position separately (~40M elements/s): model.fit gathers every batch out of the training set
 * (0.6 ms for 32 MNIST images; the train evaluator's trainEpoch slices its batches instead), and the
 * train evaluator's seeded shuffle gathers the whole set each epoch (85 ms for 4,800). Indices out
 * of range throw, as on cpu.
 */
import * as tf from '@tensorflow/tfjs';
import { callBundled } from './bundled.js';
import { asWasm, type TensorInfo } from './wasm-ops.js';
import { heapOffset, nativeKernels } from './native/module.js';

function gather(args: Parameters<tf.KernelFunc>[0]): TensorInfo {
  const { x, indices } = args.inputs as unknown as { x: TensorInfo; indices: TensorInfo };
  const { axis, batchDims } = (args.attrs ?? {}) as unknown as tf.GatherV2Attrs;
  if (x.dtype === 'string' || x.dtype === 'complex64' || indices.dtype !== 'int32' || (batchDims ?? 0) !== 0) {
    return callBundled('GatherV2', args);
  }
  const backend = asWasm(args.backend);
  const ax = tf.util.parseAxisParam(axis, x.shape)[0];
  const outer = tf.util.sizeFromShape(x.shape.slice(0, ax));
  const dim = x.shape[ax];
  const inner = tf.util.sizeFromShape(x.shape.slice(ax + 1));
  const out = backend.makeOutput([...x.shape.slice(0, ax), ...indices.shape, ...x.shape.slice(ax + 1)], x.dtype);
  // views taken after the allocation, which may have grown (detached) the heap
  const idx = backend.typedArrayFromHeap(indices);
  for (let i = 0; i < idx.length; i++) {
    if (!(idx[i] >= 0 && idx[i] < dim)) {
      backend.disposeData(out.dataId);
      throw new Error(`GatherV2: the index value ${idx[i]} is not in [0, ${dim - 1}]`);
    }
  }
  if (x.dtype === 'float32' || x.dtype === 'int32') {
    // 4-byte elements: native row copies (an embedding's 12,800 rows of 64 per step: 3.3 ms as
    // subarray-and-set in JS, one object per row, against 0.3 here)
    const at = (t: TensorInfo) => heapOffset(backend, t);
    nativeKernels(backend).gather_rows(at(x), at(indices), at(out), outer, dim, idx.length, inner);
    return out;
  }
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  let at = 0;
  for (let o = 0; o < outer; o++) {
    const base = o * dim * inner;
    if (inner <= 32) {
      // short runs: an element loop beats a subarray and set per run
      for (let i = 0; i < idx.length; i++) {
        const from = base + idx[i] * inner;
        for (let e = 0; e < inner; e++) dst[at++] = src[from + e];
      }
    } else {
      for (let i = 0; i < idx.length; i++, at += inner) {
        const from = base + idx[i] * inner;
        dst.set(src.subarray(from, from + inner), at);
      }
    }
  }
  return out;
}

export const gatherConfig: tf.KernelConfig = {
  kernelName: 'GatherV2',
  backendName: 'wasm',
  kernelFunc: gather,
};
