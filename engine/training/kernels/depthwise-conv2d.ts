/**
 * Depthwise convolution for the wasm backend, native (native/kernels.c) in all three directions:
 * the forward pass replaces the bundled one (XNNPACK), and the two gradients are ones the backend
 * lacks. Filter [fh,fw,C,m]; output channel c*m + k. NHWC (the layers' format); the forward
 * sends NCHW to the bundled kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { callBundled } from './bundled.js';
import { geometry, type Pad } from './conv-geometry.js';
import { asWasm, dispose, type TensorInfo } from './wasm-ops.js';
import { heapOffset, nativeKernels } from './native/module.js';
import { paddedInput } from './padded.js';

type Args = Parameters<tf.KernelFunc>[0];
type Shape4 = [number, number, number, number];

function depthwiseConv2d(args: Args): TensorInfo {
  const attrs = (args.attrs ?? {}) as unknown as tf.DepthwiseConv2dNativeAttrs;
  if (attrs.dataFormat === 'NCHW') return callBundled('DepthwiseConv2dNative', args);
  const backend = asWasm(args.backend);
  const { x, filter } = args.inputs as unknown as { x: TensorInfo; filter: TensorInfo };
  const g = geometry(
    x.shape as Shape4,
    filter.shape as Shape4,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad as Pad,
    attrs.dimRoundingMode,
    true,
  );
  const { xp, ph, pw } = paddedInput(backend, x, g);
  const y = backend.makeOutput([g.batch, g.outH, g.outW, g.outC], 'float32');
  nativeKernels(backend).depthwise_conv2d(
    heapOffset(backend, xp),
    heapOffset(backend, filter),
    heapOffset(backend, y),
    g.batch,
    ph,
    pw,
    g.inC,
    g.outC / g.inC,
    g.outH,
    g.outW,
    g.fh,
    g.fw,
    g.sh,
    g.sw,
    g.dh,
    g.dw,
  );
  if (xp !== x) dispose(backend, xp);
  return y;
}

function depthwiseBackpropFilter(args: Args): TensorInfo {
  const backend = asWasm(args.backend);
  const attrs = (args.attrs ?? {}) as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  const { x, dy } = args.inputs as unknown as { x: TensorInfo; dy: TensorInfo };
  const g = geometry(
    x.shape as Shape4,
    attrs.filterShape,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad as Pad,
    attrs.dimRoundingMode,
    true,
  );
  const { xp, ph, pw } = paddedInput(backend, x, g);
  const out = backend.makeOutput(attrs.filterShape, 'float32');
  nativeKernels(backend).depthwise_backprop_filter(
    heapOffset(backend, xp),
    heapOffset(backend, dy),
    heapOffset(backend, out),
    g.batch,
    ph,
    pw,
    g.inC,
    g.outC / g.inC,
    g.outH,
    g.outW,
    g.fh,
    g.fw,
    g.sh,
    g.sw,
    g.dh,
    g.dw,
  );
  if (xp !== x) dispose(backend, xp);
  return out;
}

function depthwiseBackpropInput(args: Args): TensorInfo {
  const backend = asWasm(args.backend);
  const attrs = (args.attrs ?? {}) as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  const { dy, filter } = args.inputs as unknown as { dy: TensorInfo; filter: TensorInfo };
  const g = geometry(
    attrs.inputShape,
    filter.shape as Shape4,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad as Pad,
    attrs.dimRoundingMode,
    true,
  );
  const dx = backend.makeOutput([g.batch, g.inH, g.inW, g.inC], 'float32');
  nativeKernels(backend).depthwise_backprop_input(
    heapOffset(backend, dy),
    heapOffset(backend, filter),
    heapOffset(backend, dx),
    g.batch,
    g.inH,
    g.inW,
    g.inC,
    g.outC / g.inC,
    g.outH,
    g.outW,
    g.fh,
    g.fw,
    g.sh,
    g.sw,
    g.dh,
    g.dw,
    g.padTop,
    g.padLeft,
  );
  return dx;
}

export const depthwiseConv2dConfig: tf.KernelConfig = {
  kernelName: 'DepthwiseConv2dNative',
  backendName: 'wasm',
  kernelFunc: depthwiseConv2d,
};

export const depthwiseBackpropFilterConfig: tf.KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropFilter,
};

export const depthwiseBackpropInputConfig: tf.KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropInput',
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropInput,
};
