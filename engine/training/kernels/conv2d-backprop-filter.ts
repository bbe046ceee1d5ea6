/**
 * Conv2DBackpropFilter for the wasm backend (which has none).
 *
 * dW[a,b,ci,co] = sum_{n,i,j} x[n, i*sh + a - top, j*sw + b - left, ci] * dy[n,i,j,co]
 * is itself a convolution once batch and channels swap roles: the input is x transposed to
 * [Ci,H,W,N], the "filter" is dy transposed to [Ho,Wo,N,Co], and the forward strides become
 * dilations. That runs on the backend's XNNPACK Conv2D instead of a scalar loop.
 */
import * as tf from '@tensorflow/tfjs';
import {geometry, trailingPad, type Pad} from './conv-geometry.js';
import {asWasm, call, dispose, padOrCrop, splitPad, transpose, type TensorInfo} from './wasm-ops.js';
import {toChannelsLast, nhwcPad} from './data-format.js';

function conv2dBackpropFilter(args: {inputs: tf.NamedTensorInfoMap; backend: {}; attrs?: tf.NamedAttrMap}): TensorInfo {
  const backend = asWasm(args.backend);
  const attrs = (args.attrs ?? {}) as unknown as tf.Conv2DBackpropFilterAttrs;
  const {x: x0, dy: dy0} = args.inputs as unknown as {x: TensorInfo; dy: TensorInfo};
  const channelsFirst = attrs.dataFormat === 'NCHW';
  const x = toChannelsLast(backend, x0, channelsFirst);
  const dy = toChannelsLast(backend, dy0, channelsFirst);
  const g = geometry(x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1,
                     nhwcPad(attrs.pad as Pad, channelsFirst), attrs.dimRoundingMode, false);
  const {bottom, right} = trailingPad(g);
  const b = splitPad(bottom), r = splitPad(right);

  const xt = transpose(backend, x, [3, 1, 2, 0]);              // [Ci,H,W,N]
  const xc = padOrCrop(backend, xt, 1, 0, b.crop, 0, r.crop);  // drop rows never read
  const f = transpose(backend, dy, [1, 2, 0, 3]);              // [Ho,Wo,N,Co]
  const conv = call('Conv2D', backend, {x: xc, filter: f}, {
    strides: [g.dh, g.dw], dilations: [g.sh, g.sw], dataFormat: 'NHWC',
    pad: [[0, 0], [g.padTop, b.pad], [g.padLeft, r.pad], [0, 0]], dimRoundingMode: undefined,
  } as unknown as tf.NamedAttrMap);                            // [Ci,fh,fw,Co]
  const out = transpose(backend, conv, [1, 2, 0, 3]);          // [fh,fw,Ci,Co]
  dispose(backend, xt, xc, f, conv);
  if (x !== x0) dispose(backend, x);
  if (dy !== dy0) dispose(backend, dy);
  return out;
}

export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter,
};
