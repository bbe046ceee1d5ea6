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
  if (fh === 2 && fw === 2 && sh === 2 && sw === 2 && top === 0 && left === 0 && 2 * oh <= h && 2 * ow <= w) {
    pool2x2Grad(x, g, dx, n, h, w, c, oh, ow);
    return out;
  }
  const best = new Float32Array(c);
  const where = new Int32Array(c);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      const r0 = i * sh - top;
      const rLo = Math.max(0, r0), rHi = Math.min(h, r0 + fh);
      for (let j = 0; j < ow; j++) {
        const q0 = j * sw - left;
        const qLo = Math.max(0, q0), qHi = Math.min(w, q0 + fw);
        if (rLo >= rHi || qLo >= qHi) continue;  // a window entirely in the padding
        // The window's first element seeds the maxima, so later ones replace them only
        // when strictly greater: ties keep the first, as on the cpu backend.
        const first = ((b * h + rLo) * w + qLo) * c;
        for (let k = 0; k < c; k++) { best[k] = x[first + k]; where[k] = first + k; }
        for (let r = rLo; r < rHi; r++) {
          for (let q = r === rLo ? qLo + 1 : qLo; q < qHi; q++) {
            const base = ((b * h + r) * w + q) * c;
            for (let k = 0; k < c; k++) {
              const v = x[base + k];
              if (v > best[k]) { best[k] = v; where[k] = base + k; }
            }
          }
        }
        const gBase = ((b * oh + i) * ow + j) * c;
        for (let k = 0; k < c; k++) dx[where[k]] += g[gBase + k];
      }
    }
  }
  return out;
}

/**
 * The common 2x2/2 unpadded case, ~2x faster than the general loop: four loads and a
 * compare chain per channel in registers, no scratch arrays. Ties keep the first element.
 */
function pool2x2Grad(x: Float32Array, g: Float32Array, dx: Float32Array, n: number, h: number,
                     w: number, c: number, oh: number, ow: number): void {
  const rowStride = w * c;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        const p00 = ((b * h + 2 * i) * w + 2 * j) * c;
        const p01 = p00 + c, p10 = p00 + rowStride, p11 = p10 + c;
        const gBase = ((b * oh + i) * ow + j) * c;
        for (let k = 0; k < c; k++) {
          let m = x[p00 + k], at = p00 + k;
          let v = x[p01 + k];
          if (v > m) { m = v; at = p01 + k; }
          v = x[p10 + k];
          if (v > m) { m = v; at = p10 + k; }
          v = x[p11 + k];
          if (v > m) at = p11 + k;
          dx[at] = g[gBase + k];
        }
      }
    }
  }
}

export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: 'MaxPoolGrad',
  backendName: 'wasm',
  kernelFunc: maxPoolGrad,
};
