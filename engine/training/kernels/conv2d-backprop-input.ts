/**
 * Conv2DBackpropInput for the wasm backend, replacing the bundled one (a scalar C loop).
 *
 * dx is a stride-1 convolution of dy, with the forward strides turned into inserted zeros,
 * against the filter reversed in space and with in/out channels swapped ([fh,fw,Co,Ci]),
 * padded by (filter - 1 - forward pad). That runs on XNNPACK's Conv2D.
 */
import * as tf from '@tensorflow/tfjs';
import {geometry, type Pad} from './conv-geometry.js';
import {toChannelsLast, nhwcPad} from './data-format.js';
import {asWasm, call, dispose, padOrCrop, splitPad, transpose, zeroInsert, type TensorInfo} from './wasm-ops.js';

function conv2dBackpropInput(args: {inputs: tf.NamedTensorInfoMap; backend: {}; attrs?: tf.NamedAttrMap}): TensorInfo {
  const backend = asWasm(args.backend);
  const attrs = (args.attrs ?? {}) as unknown as tf.Conv2DBackpropInputAttrs;
  const {dy: dy0, filter} = args.inputs as unknown as {dy: TensorInfo; filter: TensorInfo};
  const channelsFirst = attrs.dataFormat === 'NCHW';
  const s = attrs.inputShape;
  const inShape: [number, number, number, number] = channelsFirst ? [s[0], s[2], s[3], s[1]] : s;
  const dy = toChannelsLast(backend, dy0, channelsFirst);
  const g = geometry(inShape, filter.shape as [number, number, number, number], attrs.strides, 1,
                     nhwcPad(attrs.pad as Pad, channelsFirst), attrs.dimRoundingMode, false);

  const spread = zeroInsert(backend, dy, g.sh, g.sw);                      // [N,Ho*sh,Wo*sw,Co]
  const top = splitPad(g.fh - 1 - g.padTop), left = splitPad(g.fw - 1 - g.padLeft);
  const bottom = splitPad(g.inH + g.padTop - g.outH * g.sh);
  const right = splitPad(g.inW + g.padLeft - g.outW * g.sw);
  const cropped = padOrCrop(backend, spread, 1, top.crop, bottom.crop, left.crop, right.crop);
  dispose(backend, spread);

  const flipped = call('Reverse', backend, {x: filter}, {dims: [0, 1]});
  const f = transpose(backend, flipped, [0, 1, 3, 2]);                    // [fh,fw,Co,Ci]
  const conv = call('Conv2D', backend, {x: cropped, filter: f}, {
    strides: [1, 1], dilations: [1, 1], dataFormat: 'NHWC', dimRoundingMode: undefined,
    pad: [[0, 0], [top.pad, bottom.pad], [left.pad, right.pad], [0, 0]],
  } as unknown as tf.NamedAttrMap);                                        // [N,H,W,Ci]
  dispose(backend, cropped, flipped, f);
  if (dy !== dy0) dispose(backend, dy);
  if (!channelsFirst) return conv;
  const out = transpose(backend, conv, [0, 3, 1, 2]);
  dispose(backend, conv);
  return out;
}

export const conv2dBackpropInputConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: conv2dBackpropInput,
};
