/**
 * DepthwiseConv2dNativeBackpropFilter for the wasm backend (which has none).
 *
 * dW[a,b,c,k] = sum_{n,i,j} x[n, i*sh + a*dh - top, j*sw + b*dw - left, c] * dy[n,i,j,c*m+k].
 * Per channel c this is a (taps x pixels) by (pixels x m) matrix product, so we gather the
 * fh*fw shifted, strided windows of x (im2col, one StridedSlice per tap) into [C, T, P] and
 * run one BatchMatMul against dy as [C, P, m]. A full Conv2D would also work but computes
 * all C*C channel pairs to keep only the diagonal.
 */
import * as tf from '@tensorflow/tfjs';
import {geometry, trailingPad, type Pad} from './conv-geometry.js';
import {asWasm, call, dispose, padOrCrop, reshape, transpose, type TensorInfo} from './wasm-ops.js';

function depthwiseBackpropFilter(args: {inputs: tf.NamedTensorInfoMap; backend: {}; attrs?: tf.NamedAttrMap}): TensorInfo {
  const backend = asWasm(args.backend);
  const attrs = (args.attrs ?? {}) as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  const {x, dy} = args.inputs as unknown as {x: TensorInfo; dy: TensorInfo};
  const g = geometry(x.shape as [number, number, number, number], attrs.filterShape, attrs.strides,
                     attrs.dilations ?? 1, attrs.pad as Pad, attrs.dimRoundingMode, true);
  const m = g.outC / g.inC;
  const taps = g.fh * g.fw;
  const pixels = g.batch * g.outH * g.outW;
  const {bottom, right} = trailingPad(g);

  const xt = transpose(backend, x, [3, 0, 1, 2]);                          // [C,N,H,W]
  const xp = padOrCrop(backend, xt, 2, g.padTop, bottom, g.padLeft, right);
  dispose(backend, xt);
  const windows: TensorInfo[] = [];
  for (let a = 0; a < g.fh; a++) {
    for (let b = 0; b < g.fw; b++) {
      const top = a * g.dh, left = b * g.dw;
      const win = call('StridedSlice', backend, {x: xp}, {
        begin: [0, 0, top, left],
        end: [g.inC, g.batch, top + (g.outH - 1) * g.sh + 1, left + (g.outW - 1) * g.sw + 1],
        strides: [1, 1, g.sh, g.sw],
        beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0,
      });                                                                  // [C,N,Ho,Wo]
      windows.push(reshape(backend, win, [g.inC, 1, pixels]));
      dispose(backend, win);
    }
  }
  dispose(backend, xp);
  const cols = taps === 1 ? windows[0] : call('Concat', backend, windows, {axis: 1});  // [C,T,P]
  if (taps !== 1) dispose(backend, ...windows);

  const dy3 = reshape(backend, dy, [pixels, g.inC, m]);
  const dyc = transpose(backend, dy3, [1, 0, 2]);                          // [C,P,m]
  const prod = call('BatchMatMul', backend, {a: cols, b: dyc}, {transposeA: false, transposeB: false});
  const tcm = transpose(backend, prod, [1, 0, 2]);                         // [T,C,m]
  const out = reshape(backend, tcm, [g.fh, g.fw, g.inC, m]);
  dispose(backend, cols, dy3, dyc, prod, tcm);
  return out;
}

export const depthwiseBackpropFilterConfig: tf.KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropFilter,
};
