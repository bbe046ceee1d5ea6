/**
 * Slice for the wasm backend, replacing the bundled one, which first copies the whole input
 * out of the heap (readSync) whatever the slice: model.fit slices every batch out of the
 * training set that way (a 15 MB copy per batch of MNIST's 6000 images). Here a contiguous
 * slice is one copy of just its block, and other slices of float32/int32 tensors up to rank 4
 * (concatenate's gradient: channel blocks) a native strided copy; the rest stay bundled.
 */
import * as tf from '@tensorflow/tfjs';
import { callBundled } from './bundled.js';
import { asWasm, sliceFlat, type TensorInfo } from './wasm-ops.js';
import { heapOffset, nativeKernels } from './native/module.js';

function slice(args: Parameters<tf.KernelFunc>[0]): TensorInfo {
  const { x } = args.inputs as unknown as { x: TensorInfo };
  const { begin, size } = (args.attrs ?? {}) as unknown as tf.SliceAttrs;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') return callBundled('Slice', args);
  const backend = asWasm(args.backend);
  const [b, s] = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, begin, size);
  if (tf.util.sizeFromShape(s) === 0) return backend.makeOutput(s, x.dtype);
  if (tf.slice_util.isSliceContinous(x.shape, b, s)) {
    return sliceFlat(backend, x, tf.slice_util.computeFlatOffset(b, tf.util.computeStrides(x.shape)), s);
  }
  if (x.shape.length > 4) return callBundled('Slice', args);
  const pad = 4 - x.shape.length;
  const d = [...new Array<number>(pad).fill(1), ...x.shape];
  const bb = [...new Array<number>(pad).fill(0), ...b];
  const ss = [...new Array<number>(pad).fill(1), ...s];
  const out = backend.makeOutput(s, x.dtype);
  nativeKernels(backend).slice4(
    heapOffset(backend, x),
    heapOffset(backend, out),
    d[1],
    d[2],
    d[3],
    bb[0],
    bb[1],
    bb[2],
    bb[3],
    ss[0],
    ss[1],
    ss[2],
    ss[3],
  );
  return out;
}

export const sliceConfig: tf.KernelConfig = {
  kernelName: 'Slice',
  backendName: 'wasm',
  kernelFunc: slice,
};
