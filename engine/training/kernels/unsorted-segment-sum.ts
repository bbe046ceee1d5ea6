/**
 * UnsortedSegmentSum for the wasm backend (which has none); tfjs uses it for the gradient
 * of Gather, i.e. of embedding layers.
 *
 * ScatterNd accumulates duplicate indices, so out = ScatterNd(ids as [N,1], x, [S, ...rest])
 * is exactly the segment sum in O(N * rest) (the cpu backend's version is O(S * N * rest)).
 * TF drops ids outside [0, S); ScatterNd would write out of bounds, so such rows are zeroed
 * first (a mask multiply) and sent to segment 0.
 */
import * as tf from '@tensorflow/tfjs';
import { asWasm, call, dispose, reshape, type TensorInfo } from './wasm-ops.js';

function unsortedSegmentSum(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: object;
  attrs?: tf.NamedAttrMap;
}): TensorInfo {
  const backend = asWasm(args.backend);
  const { numSegments } = (args.attrs ?? {}) as unknown as tf.UnsortedSegmentSumAttrs;
  const { x, segmentIds } = args.inputs as unknown as { x: TensorInfo; segmentIds: TensorInfo };
  const idCount = tf.util.sizeFromShape(segmentIds.shape);
  const rest = x.shape.slice(segmentIds.shape.length);
  const rowSize = tf.util.sizeFromShape(rest);

  let ids = call('Cast', backend, { x: segmentIds }, { dtype: 'int32' });
  let rows = reshape(backend, x, [idCount, rowSize]);
  // Copied: later allocations may grow (and detach) the wasm heap under a view.
  const idValues = Int32Array.from(backend.typedArrayFromHeap(ids));
  let outOfRange = false;
  for (let i = 0; i < idValues.length; i++) {
    if (idValues[i] < 0 || idValues[i] >= numSegments) {
      outOfRange = true;
      break;
    }
  }
  if (outOfRange) {
    const keep = new Float32Array(idCount);
    const safeIds = new Int32Array(idCount);
    for (let i = 0; i < idCount; i++) {
      const ok = idValues[i] >= 0 && idValues[i] < numSegments;
      keep[i] = ok ? 1 : 0;
      safeIds[i] = ok ? idValues[i] : 0;
    }
    const mask = backend.makeOutput([idCount, 1], 'float32');
    backend.typedArrayFromHeap(mask).set(keep);
    const masked = call('Multiply', backend, { a: rows, b: mask });
    const fixed = backend.makeOutput([idCount], 'int32');
    backend.typedArrayFromHeap(fixed).set(safeIds);
    dispose(backend, mask, rows, ids);
    rows = masked;
    ids = fixed;
  }
  const indices = reshape(backend, ids, [idCount, 1]);
  const flat = call('ScatterNd', backend, { indices, updates: rows }, { shape: [numSegments, rowSize] });
  const out = reshape(backend, flat, [numSegments, ...rest]);
  dispose(backend, ids, rows, indices, flat);
  return out;
}

export const unsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum,
};
