/**
 * Conv2DBackpropFilter for the wasm backend (which has none).
 *
 * dW[a,b,ci,co] = sum_{n,i,j} x[n, i*sh + a - top, j*sw + b - left, ci] * dy[n,i,j,co]
 * is itself a convolution once batch and channels swap roles: the input is x transposed to
 * [Ci,H,W,N], the "filter" is dy transposed to [Ho,Wo,N,Co], and the forward strides become
 * dilations. That runs on the backend's XNNPACK Conv2D instead of a scalar loop.
 * Large batches are split into chunks whose partial gradients are added (see chunkCount).
 */
import * as tf from '@tensorflow/tfjs';
import {geometry, trailingPad, type Pad} from './conv-geometry.js';
import {asWasm, call, dispose, padOrCrop, reshape, sliceLeading, splitPad, transpose, type TensorInfo} from './wasm-ops.js';
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

  const convAttrs = {
    strides: [g.dh, g.dw], dilations: [g.sh, g.sw], dataFormat: 'NHWC',
    pad: [[0, 0], [g.padTop, b.pad], [g.padLeft, r.pad], [0, 0]], dimRoundingMode: undefined,
  } as unknown as tf.NamedAttrMap;
  const chunks = chunkCount(g.batch, g.outH * g.outW * g.outC);
  const per = g.batch / chunks;
  // [chunks, per, ...] views, transposed so that each chunk is a contiguous block:
  // x -> [chunks, Ci, H, W, per] and dy -> [chunks, Ho, Wo, per, Co].
  const x5 = reshape(backend, x, [chunks, per, g.inH, g.inW, g.inC]);
  const xt = transpose(backend, x5, [0, 4, 2, 3, 1]);
  const dy5 = reshape(backend, dy, [chunks, per, g.outH, g.outW, g.outC]);
  const dyt = transpose(backend, dy5, [0, 2, 3, 1, 4]);
  dispose(backend, x5, dy5);
  let acc: TensorInfo | null = null;
  for (let k = 0; k < chunks; k++) {
    // A single chunk is the whole tensor: a free reshape instead of a copy.
    const xk = chunks === 1 ? reshape(backend, xt, xt.shape.slice()) : sliceLeading(backend, xt, k, 1);
    const xk4 = reshape(backend, xk, [g.inC, g.inH, g.inW, per]);
    const xc = padOrCrop(backend, xk4, 1, 0, b.crop, 0, r.crop);   // drop rows never read
    const fk = chunks === 1 ? reshape(backend, dyt, dyt.shape.slice()) : sliceLeading(backend, dyt, k, 1);
    const fk4 = reshape(backend, fk, [g.outH, g.outW, per, g.outC]);
    const conv = call('Conv2D', backend, {x: xc, filter: fk4}, convAttrs);  // [Ci,fh,fw,Co]
    dispose(backend, xk, xk4, xc, fk, fk4);
    if (acc == null) {
      acc = conv;
    } else {
      const sum = call('Add', backend, {a: acc, b: conv});
      dispose(backend, acc, conv);
      acc = sum;
    }
  }
  dispose(backend, xt, dyt);
  const out = transpose(backend, acc as TensorInfo, [1, 2, 0, 3]);          // [fh,fw,Ci,Co]
  dispose(backend, acc as TensorInfo);
  if (x !== x0) dispose(backend, x);
  if (dy !== dy0) dispose(backend, dy);
  return out;
}

/**
 * dy is the convolution's weight operand here, and XNNPACK packs the whole of it before a
 * GEMM whose other operand is small. Past ~512K floats (e.g. the first layer of a 28x28
 * CNN, [28,28,64,16]) splitting the batch into chunks, one conv each, summed, measured
 * ~1.5x faster; below it, chunking only adds calls.
 */
const MAX_WEIGHT_FLOATS = 512 * 1024;

function chunkCount(batch: number, floatsPerSample: number): number {
  for (let k = 1; k <= batch; k++) {
    if (batch % k === 0 && (batch / k) * floatsPerSample <= MAX_WEIGHT_FLOATS) return k;
  }
  return batch;
}

export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter,
};
