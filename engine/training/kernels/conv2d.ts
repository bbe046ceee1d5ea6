/**
 * Conv2D for the wasm backend, replacing the bundled one (XNNPACK): the input is copied once
 * into a zero-padded buffer, then native/kernels.c convolves it with no bounds checks.
 * On the reference CNN's training shapes it measured faster than XNNPACK, which (re)packs
 * the filter on each call when the weights change every step, as they do in training.
 */
import * as tf from '@tensorflow/tfjs';
import { geometry, type Pad } from './conv-geometry.js';
import { fromChannelsLast, nhwcPad, toChannelsLast } from './data-format.js';
import { asWasm, dispose, type TensorInfo, type WasmBackend } from './wasm-ops.js';
import { heapOffset, nativeKernels } from './native/module.js';
import { paddedInput } from './padded.js';

/** Conv2D of x with filter, then + bias (a [outC] vector, when given) and relu (when `relu`), in one native pass. */
export function convolve(
  backend: WasmBackend,
  x0: TensorInfo,
  filter: TensorInfo,
  attrs: tf.Conv2DAttrs,
  bias: TensorInfo | undefined,
  relu: boolean,
): TensorInfo {
  const channelsFirst = attrs.dataFormat === 'NCHW';
  const x = toChannelsLast(backend, x0, channelsFirst);
  const g = geometry(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides,
    attrs.dilations,
    nhwcPad(attrs.pad as Pad, channelsFirst),
    attrs.dimRoundingMode,
    false,
  );
  const { xp, ph, pw } = paddedInput(backend, x, g);
  const y = backend.makeOutput([g.batch, g.outH, g.outW, g.outC], 'float32');
  nativeKernels(backend).conv2d(
    heapOffset(backend, xp),
    heapOffset(backend, filter),
    heapOffset(backend, y),
    g.batch,
    ph,
    pw,
    g.inC,
    g.outH,
    g.outW,
    g.outC,
    g.fh,
    g.fw,
    g.sh,
    g.sw,
    g.dh,
    g.dw,
    bias ? heapOffset(backend, bias) : 0,
    relu ? 1 : 0,
  );
  if (xp !== x) dispose(backend, xp);
  if (x !== x0) dispose(backend, x);
  return fromChannelsLast(backend, y, channelsFirst);
}

function conv2d(args: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }): TensorInfo {
  const { x, filter } = args.inputs as unknown as { x: TensorInfo; filter: TensorInfo };
  return convolve(asWasm(args.backend), x, filter, (args.attrs ?? {}) as unknown as tf.Conv2DAttrs, undefined, false);
}

export const conv2dConfig: tf.KernelConfig = {
  kernelName: 'Conv2D',
  backendName: 'wasm',
  kernelFunc: conv2d,
};
