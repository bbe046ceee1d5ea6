/**
 * Conv2DBackpropInput for the wasm backend, replacing the bundled one (a scalar C loop):
 * every dy pixel is scattered through every tap into a zero-padded dx, from which dx is then
 * cropped, by native/kernels.c; the filter is first copied with its channels swapped
 * ([fh,fw,Co,Ci]) so that the kernel reads Ci-contiguous vectors.
 */
import * as tf from '@tensorflow/tfjs';
import { geometry, type Pad } from './conv-geometry.js';
import { toChannelsLast, nhwcPad, fromChannelsLast } from './data-format.js';
import { asWasm, dispose, type TensorInfo } from './wasm-ops.js';
import { heapOffset, nativeKernels } from './native/module.js';
import { croppedGradient, gradientExtent } from './padded.js';

function conv2dBackpropInput(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: object;
  attrs?: tf.NamedAttrMap;
}): TensorInfo {
  const backend = asWasm(args.backend);
  const attrs = (args.attrs ?? {}) as unknown as tf.Conv2DBackpropInputAttrs;
  const { dy: dy0, filter } = args.inputs as unknown as { dy: TensorInfo; filter: TensorInfo };
  const channelsFirst = attrs.dataFormat === 'NCHW';
  const s = attrs.inputShape;
  const inShape: [number, number, number, number] = channelsFirst ? [s[0], s[2], s[3], s[1]] : s;
  const dy = toChannelsLast(backend, dy0, channelsFirst);
  const g = geometry(
    inShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    nhwcPad(attrs.pad as Pad, channelsFirst),
    attrs.dimRoundingMode,
    false,
  );
  const native = nativeKernels(backend);
  const swapped = backend.makeOutput([g.fh, g.fw, g.outC, g.inC], 'float32');
  native.swap_filter_channels(heapOffset(backend, filter), heapOffset(backend, swapped), g.fh * g.fw, g.inC, g.outC);
  const { ph, pw } = gradientExtent(g);
  const dxp = backend.makeOutput([g.batch, ph, pw, g.inC], 'float32');
  native.conv2d_backprop_input(
    heapOffset(backend, dy),
    heapOffset(backend, swapped),
    heapOffset(backend, dxp),
    g.batch,
    g.outH,
    g.outW,
    g.outC,
    ph,
    pw,
    g.inC,
    g.fh,
    g.fw,
    g.sh,
    g.sw,
    g.dh,
    g.dw,
  );
  const dx = croppedGradient(backend, dxp, g, ph, pw);
  dispose(backend, swapped, dxp);
  if (dy !== dy0) dispose(backend, dy);
  return fromChannelsLast(backend, dx, channelsFirst);
}

export const conv2dBackpropInputConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: conv2dBackpropInput,
};
