/**
 * DepthwiseConv2dNativeBackpropInput for the wasm backend (which has none).
 *
 * The input gradient of a convolution is a stride-1 correlation of dy (with the forward
 * strides turned into inserted zeros) against the spatially reversed filter, padded by
 * (effective filter - 1 - forward pad). For a depthwise filter [fh,fw,C,m] this is a
 * depthwise conv over the C*m dy channels with a [fh,fw,C*m,1] filter, then a sum over m.
 */
import * as tf from '@tensorflow/tfjs';
import {geometry, type Pad} from './conv-geometry.js';
import {asWasm, call, dispose, reshape, splitPad, zeroInsert, padOrCrop, type TensorInfo} from './wasm-ops.js';

function depthwiseBackpropInput(args: {inputs: tf.NamedTensorInfoMap; backend: {}; attrs?: tf.NamedAttrMap}): TensorInfo {
  const backend = asWasm(args.backend);
  const attrs = (args.attrs ?? {}) as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  const {dy, filter} = args.inputs as unknown as {dy: TensorInfo; filter: TensorInfo};
  const g = geometry(attrs.inputShape, filter.shape as [number, number, number, number], attrs.strides,
                     attrs.dilations ?? 1, attrs.pad as Pad, attrs.dimRoundingMode, true);
  const m = g.outC / g.inC;

  const spread = zeroInsert(backend, dy, g.sh, g.sw);                      // [N,Ho*sh,Wo*sw,C*m]
  const effH = (g.fh - 1) * g.dh + 1, effW = (g.fw - 1) * g.dw + 1;
  const top = splitPad(effH - 1 - g.padTop), left = splitPad(effW - 1 - g.padLeft);
  const bottom = splitPad(g.inH + effH - 1 - (effH - 1 - g.padTop) - g.outH * g.sh);
  const right = splitPad(g.inW + effW - 1 - (effW - 1 - g.padLeft) - g.outW * g.sw);
  const cropped = padOrCrop(backend, spread, 1, top.crop, bottom.crop, left.crop, right.crop);
  dispose(backend, spread);

  const flipped = call('Reverse', backend, {x: filter}, {dims: [0, 1]});
  const f = reshape(backend, flipped, [g.fh, g.fw, g.outC, 1]);
  const conv = call('DepthwiseConv2dNative', backend, {x: cropped, filter: f}, {
    strides: [1, 1], dilations: [g.dh, g.dw], dimRoundingMode: undefined,
    pad: [[0, 0], [top.pad, bottom.pad], [left.pad, right.pad], [0, 0]],
  } as unknown as tf.NamedAttrMap);                                        // [N,H,W,C*m]
  dispose(backend, cropped, flipped, f);
  if (m === 1) return conv;
  const five = reshape(backend, conv, [g.batch, g.inH, g.inW, g.inC, m]);
  const out = call('Sum', backend, {x: five}, {axis: [4], keepDims: false});
  dispose(backend, conv, five);
  return out;
}

export const depthwiseBackpropInputConfig: tf.KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropInput',
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropInput,
};
