/**
 * MaxPoolGrad for the wasm backend, replacing the bundled one.
 *
 * The bundled kernel is a scalar C loop at ~12 ms for a 64x28x28x16 input (30x the forward
 * pool), and breaks ties (all-zero windows after relu) differently from the cpu backend.
 * No composition of wasm kernels does better: MaxPoolWithArgmax is as slow and picks other
 * positions on ties, and a mask built from Equal costs several full passes. So this is a
 * plain loop over the wasm heap, with the cpu backend's rule: the gradient goes to the
 * first (row-major within the window) maximum. The channel loop is innermost so that
 * every read walks contiguous memory.
 */
import * as tf from '@tensorflow/tfjs';
import {asWasm, type TensorInfo} from './wasm-ops.js';

function maxPoolGrad(args: {inputs: tf.NamedTensorInfoMap; backend: {}; attrs?: tf.NamedAttrMap}): TensorInfo {
  const backend = asWasm(args.backend);
  const attrs = (args.attrs ?? {}) as unknown as tf.MaxPoolGradAttrs;
  const {dy, input} = args.inputs as unknown as {dy: TensorInfo; input: TensorInfo};
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number],
                                                 attrs.filterSize, attrs.strides, 1, attrs.pad,
                                                 attrs.dimRoundingMode);
  const {batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow} = info;
  const {strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw} = info;
  const top = info.padInfo.top, left = info.padInfo.left;

  const out = backend.makeOutput(input.shape, 'float32');
  // Views are taken after the allocation: growing the heap detaches older views.
  const x = backend.typedArrayFromHeap(input) as Float32Array;
  const g = backend.typedArrayFromHeap(dy) as Float32Array;
  const dx = backend.typedArrayFromHeap(out) as Float32Array;
  dx.fill(0);
  const best = new Float32Array(c);
  const where = new Int32Array(c);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      const r0 = i * sh - top;
      const rLo = Math.max(0, r0), rHi = Math.min(h, r0 + fh);
      for (let j = 0; j < ow; j++) {
        const q0 = j * sw - left;
        const qLo = Math.max(0, q0), qHi = Math.min(w, q0 + fw);
        best.fill(-Infinity);
        where.fill(-1);
        for (let r = rLo; r < rHi; r++) {
          for (let q = qLo; q < qHi; q++) {
            const base = ((b * h + r) * w + q) * c;
            for (let k = 0; k < c; k++) {
              const v = x[base + k];
              if (v > best[k] || where[k] < 0) { best[k] = v; where[k] = base + k; }
            }
          }
        }
        const gBase = ((b * oh + i) * ow + j) * c;
        for (let k = 0; k < c; k++) if (where[k] >= 0) dx[where[k]] += g[gBase + k];
      }
    }
  }
  return out;
}

export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: 'MaxPoolGrad',
  backendName: 'wasm',
  kernelFunc: maxPoolGrad,
};
