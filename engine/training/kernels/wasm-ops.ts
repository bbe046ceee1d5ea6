/**
 * Helpers for writing wasm kernels by composing the wasm backend's own kernels.
 *
 * Inside a kernelFunc we may not call tf ops (they would re-enter the engine, record
 * gradients and allocate tracked tensors). Instead we call the registered wasm kernelFuncs
 * directly on TensorInfos, exactly as tfjs-backend-wasm's own kernels do (e.g. Mean calls
 * transpose), and free every intermediate with backend.disposeData.
 */
import * as tf from '@tensorflow/tfjs';

export type TensorInfo = tf.TensorInfo;
export type Attrs = tf.NamedAttrMap;

/** The part of tfjs-backend-wasm's BackendWasm that the composed kernels touch. */
export interface WasmBackend {
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
  incRef(dataId: tf.DataId): void;
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

export function asWasm(backend: unknown): WasmBackend {
  const b = backend as Partial<WasmBackend> | null;
  if (b == null || typeof b.disposeData !== 'function' || typeof b.makeOutput !== 'function' || typeof b.incRef !== 'function' ||
      typeof b.typedArrayFromHeap !== 'function') {
    throw new Error('training kernels: expected the wasm backend');
  }
  return b as WasmBackend;
}

/** Runs another registered wasm kernel on raw TensorInfos. */
export function call(name: string, backend: WasmBackend,
                     inputs: Record<string, TensorInfo> | TensorInfo[],
                     attrs: Attrs = {}): TensorInfo {
  const config = tf.getKernel(name, 'wasm');
  if (config == null) throw new Error(`training kernels: wasm kernel ${name} is not registered`);
  const out = config.kernelFunc({inputs: inputs as tf.NamedTensorInfoMap, backend, attrs});
  return Array.isArray(out) ? out[0] : out;
}

export function dispose(backend: WasmBackend, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/** Zero-copy reshape (the wasm Reshape kernel only bumps the refCount). */
export function reshape(backend: WasmBackend, x: TensorInfo, shape: number[]): TensorInfo {
  return call('Reshape', backend, {x}, {shape});
}

export function transpose(backend: WasmBackend, x: TensorInfo, perm: number[]): TensorInfo {
  return call('Transpose', backend, {x}, {perm});
}

/**
 * Pads (positive) or crops (negative) two adjacent spatial axes (hAxis, hAxis+1) of a
 * rank-4 tensor. Convolutions only accept non-negative explicit padding, so negative
 * amounts are applied here as a Slice and positive ones as a zero PadV2.
 */
export function padOrCrop(backend: WasmBackend, x: TensorInfo, hAxis: 1 | 2, top: number,
                          bottom: number, left: number, right: number): TensorInfo {
  let cur = x;
  let owned = false;
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const begin = [0, 0, 0, 0];
    const size = x.shape.slice();
    begin[hAxis] = Math.max(0, -top);
    begin[hAxis + 1] = Math.max(0, -left);
    size[hAxis] -= begin[hAxis] + Math.max(0, -bottom);
    size[hAxis + 1] -= begin[hAxis + 1] + Math.max(0, -right);
    cur = call('Slice', backend, {x: cur}, {begin, size});
    owned = true;
  }
  const pt = Math.max(0, top), pb = Math.max(0, bottom), pl = Math.max(0, left), pr = Math.max(0, right);
  if (pt + pb + pl + pr > 0) {
    const paddings = [[0, 0], [0, 0], [0, 0], [0, 0]];
    paddings[hAxis] = [pt, pb];
    paddings[hAxis + 1] = [pl, pr];
    const padded = call('PadV2', backend, {x: cur}, {paddings, constantValue: 0});
    if (owned) dispose(backend, cur);
    cur = padded;
    owned = true;
  }
  return owned ? cur : reshape(backend, x, x.shape.slice());
}

/** Splits a wanted padding into the non-negative part a convolution can take and the crop. */
export function splitPad(want: number): {pad: number; crop: number} {
  return want >= 0 ? {pad: want, crop: 0} : {pad: 0, crop: want};
}

/**
 * Inserts (sh-1) zero rows after every row and (sw-1) zero columns after every column of
 * an NHWC tensor: [N,H,W,C] -> [N,H*sh,W*sw,C]. This turns a strided convolution's
 * gradient into a stride-1 one. Done as reshape -> PadV2 -> reshape, all native.
 */
export function zeroInsert(backend: WasmBackend, x: TensorInfo, sh: number, sw: number): TensorInfo {
  if (sh === 1 && sw === 1) return reshape(backend, x, x.shape.slice());
  const [n, h, w, c] = x.shape;
  const six = reshape(backend, x, [n, h, 1, w, 1, c]);
  const padded = call('PadV2', backend, {x: six},
                      {paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0});
  dispose(backend, six);
  const out = reshape(backend, padded, [n, h * sh, w * sw, c]);
  dispose(backend, padded);
  return out;
}

/** The elements [offset, offset + size(shape)) of x in memory order, as a tensor of `shape`. */
export function sliceFlat(backend: WasmBackend, x: TensorInfo, offset: number, shape: number[]): TensorInfo {
  const out = backend.makeOutput(shape, x.dtype);
  // Views taken after the allocation, which may have grown (detached) the heap.
  const src = backend.typedArrayFromHeap(x);
  backend.typedArrayFromHeap(out).set(src.subarray(offset, offset + tf.util.sizeFromShape(shape)));
  return out;
}
