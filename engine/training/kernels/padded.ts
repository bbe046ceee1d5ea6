/**
 * Zero-padded operands of the native convolution kernels, so that their loops need no bounds
 * checks: an input padded to exactly the rows and columns the taps read, and the extent of a
 * padded input gradient that every tap can write into.
 */
import type { ConvGeometry } from './conv-geometry.js';
import { type TensorInfo, type WasmBackend } from './wasm-ops.js';
import { heapOffset, nativeKernels } from './native/module.js';

/** Rows and columns the taps of every output pixel reach, padding included. */
export function tapExtent(g: ConvGeometry): { ph: number; pw: number } {
  return { ph: (g.outH - 1) * g.sh + (g.fh - 1) * g.dh + 1, pw: (g.outW - 1) * g.sw + (g.fw - 1) * g.dw + 1 };
}

/**
 * x [N,H,W,C] padded (and cropped of rows no tap reads) to [N,ph,pw,C]; x itself, with its own
 * row and column strides, when it needs no padding. Dispose `xp` when it is not `x`.
 */
export function paddedInput(
  backend: WasmBackend,
  x: TensorInfo,
  g: ConvGeometry,
): { xp: TensorInfo; ph: number; pw: number } {
  const { ph, pw } = tapExtent(g);
  if (g.padTop === 0 && g.padLeft === 0 && ph <= g.inH && pw <= g.inW) return { xp: x, ph: g.inH, pw: g.inW };
  const xp = backend.makeOutput([g.batch, ph, pw, g.inC], 'float32');
  nativeKernels(backend).pad_nhwc(
    heapOffset(backend, x),
    heapOffset(backend, xp),
    g.batch,
    g.inH,
    g.inW,
    g.inC,
    ph,
    pw,
    g.padTop,
    g.padLeft,
  );
  return { xp, ph, pw };
}

/** A padded input gradient holds every position a tap writes: the padding before, and up to the last tap after. */
export function gradientExtent(g: ConvGeometry): { ph: number; pw: number } {
  const { ph, pw } = tapExtent(g);
  return { ph: Math.max(ph, g.padTop + g.inH), pw: Math.max(pw, g.padLeft + g.inW) };
}

/** dx [N,H,W,C] cropped out of the padded gradient dxp (which the caller then disposes). */
export function croppedGradient(
  backend: WasmBackend,
  dxp: TensorInfo,
  g: ConvGeometry,
  ph: number,
  pw: number,
): TensorInfo {
  const dx = backend.makeOutput([g.batch, g.inH, g.inW, g.inC], 'float32');
  nativeKernels(backend).crop_nhwc(
    heapOffset(backend, dxp),
    heapOffset(backend, dx),
    g.batch,
    ph,
    pw,
    g.inC,
    g.inH,
    g.inW,
    g.padTop,
    g.padLeft,
  );
  return dx;
}
