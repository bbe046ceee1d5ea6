/** NCHW support for kernels whose wasm building blocks only take NHWC. */
import { dispose, transpose, type TensorInfo, type WasmBackend } from './wasm-ops.js';
import type { Pad } from './conv-geometry.js';

/** Returns x itself for NHWC, else a new NHWC transpose the caller must dispose. */
export function toChannelsLast(backend: WasmBackend, x: TensorInfo, channelsFirst: boolean): TensorInfo {
  return channelsFirst ? transpose(backend, x, [0, 2, 3, 1]) : x;
}

/** Returns y itself for NHWC, else its NCHW transpose; y is then disposed. */
export function fromChannelsLast(backend: WasmBackend, y: TensorInfo, channelsFirst: boolean): TensorInfo {
  if (!channelsFirst) return y;
  const out = transpose(backend, y, [0, 3, 1, 2]);
  dispose(backend, y);
  return out;
}

/** Explicit paddings are given in the tensor's own axis order; reorder NCHW ones to NHWC. */
export function nhwcPad(pad: Pad, channelsFirst: boolean): Pad {
  if (!channelsFirst || !Array.isArray(pad)) return pad;
  return [pad[0], pad[2], pad[3], pad[1]];
}
