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
  /** How many tensors share the data (a Reshape, Identity or Variable.assign adds one). */
  refCount(dataId: tf.DataId): number;
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

export function asWasm(backend: unknown): WasmBackend {
  const b = backend as Partial<WasmBackend> | null;
  if (
    b == null ||
    typeof b.disposeData !== 'function' ||
    typeof b.makeOutput !== 'function' ||
    typeof b.incRef !== 'function' ||
    typeof b.refCount !== 'function' ||
    typeof b.typedArrayFromHeap !== 'function'
  ) {
    throw new Error('training kernels: expected the wasm backend');
  }
  return b as WasmBackend;
}

/** Runs another registered wasm kernel on raw TensorInfos. */
export function call(
  name: string,
  backend: WasmBackend,
  inputs: Record<string, TensorInfo> | TensorInfo[],
  attrs: Attrs = {},
): TensorInfo {
  const config = tf.getKernel(name, 'wasm');
  if (config == null) throw new Error(`training kernels: wasm kernel ${name} is not registered`);
  const out = config.kernelFunc({ inputs: inputs as tf.NamedTensorInfoMap, backend, attrs });
  return Array.isArray(out) ? out[0] : out;
}

export function dispose(backend: WasmBackend, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/** A second tensor on x's data, without a copy (reference-counted, as the wasm Reshape does). */
export function share(backend: WasmBackend, x: TensorInfo): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** Zero-copy reshape (the wasm Reshape kernel only bumps the refCount). */
export function reshape(backend: WasmBackend, x: TensorInfo, shape: number[]): TensorInfo {
  return call('Reshape', backend, { x }, { shape });
}

export function transpose(backend: WasmBackend, x: TensorInfo, perm: number[]): TensorInfo {
  return call('Transpose', backend, { x }, { perm });
}

/** The elements [offset, offset + size(shape)) of x in memory order, as a tensor of `shape`. */
export function sliceFlat(backend: WasmBackend, x: TensorInfo, offset: number, shape: number[]): TensorInfo {
  const out = backend.makeOutput(shape, x.dtype);
  // Views taken after the allocation, which may have grown (detached) the heap.
  const src = backend.typedArrayFromHeap(x);
  backend.typedArrayFromHeap(out).set(src.subarray(offset, offset + tf.util.sizeFromShape(shape)));
  return out;
}
