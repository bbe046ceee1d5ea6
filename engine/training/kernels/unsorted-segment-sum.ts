/**
 * UnsortedSegmentSum for the wasm backend (which has none); tfjs uses it for the gradient
 * of Gather, i.e. of embedding layers: the rows of dy added into a [vocab, dim] table.
 *
 * One pass over the backend's heap: the output zeroed, then every row added to its segment's
 * row (ids outside [0, S) dropped, as TF does). A loop over typed-array views of the heap,
 * which V8 compiles to a tight loop; this op is memory-bound (zero the table, read each row
 * once), so a SIMD C kernel would gain little. It replaced a composition through ScatterNd
 * that took 13 ms of a 64-sample conv1d step on a 20,000 x 64 embedding (the bench
 * train-speed-sequence --profile); still a dense gradient: the optimizer updates every row.
 */
import * as tf from '@tensorflow/tfjs';
import { asWasm, call, dispose, type TensorInfo } from './wasm-ops.js';

function unsortedSegmentSum(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: object;
  attrs?: tf.NamedAttrMap;
}): TensorInfo {
  const backend = asWasm(args.backend);
  const { numSegments } = (args.attrs ?? {}) as unknown as tf.UnsortedSegmentSumAttrs;
  const { x, segmentIds } = args.inputs as unknown as { x: TensorInfo; segmentIds: TensorInfo };
  if (x.dtype !== 'float32' && x.dtype !== 'int32')
    throw new Error(`UnsortedSegmentSum: ${x.dtype} is not supported on wasm`);
  const idCount = tf.util.sizeFromShape(segmentIds.shape);
  const rest = x.shape.slice(segmentIds.shape.length);
  const rowSize = tf.util.sizeFromShape(rest);
  const ids = segmentIds.dtype === 'int32' ? segmentIds : call('Cast', backend, { x: segmentIds }, { dtype: 'int32' });
  // Copied: the output allocation below may grow (and detach) the wasm heap under a view.
  const idValues = Int32Array.from(backend.typedArrayFromHeap(ids));
  if (ids !== segmentIds) dispose(backend, ids);
  const out = backend.makeOutput([numSegments, ...rest], x.dtype);
  const o = backend.typedArrayFromHeap(out);
  const v = backend.typedArrayFromHeap(x);
  o.fill(0);
  for (let i = 0; i < idCount; i++) {
    const s = idValues[i];
    if (s < 0 || s >= numSegments) continue;
    const src = i * rowSize;
    const dst = s * rowSize;
    for (let j = 0; j < rowSize; j++) o[dst + j] += v[src + j];
  }
  return out;
}

export const unsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum,
};
