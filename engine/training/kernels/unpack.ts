/**
 * Unpack (tf.unstack) for the wasm backend, replacing the bundled one, which cuts each output
 * with the bundled Slice: that copies the whole input out of the heap for every output. tfjs-layers'
 * RNN unstacks its [steps, batch, features] input once per training step, so for a GRU over 200
 * steps of 64 x 64 that was 200 copies of 3.3 MB: 1.4 s of a 3.9 s step. Unstacking along an axis
 * with nothing but size-1 axes before it gives contiguous blocks, each one copy; other axes go
 * through our Slice (a native strided copy) and a zero-copy reshape.
 */
import * as tf from '@tensorflow/tfjs';
import { asWasm, call, dispose, reshape, sliceFlat, type TensorInfo } from './wasm-ops.js';

function unpack(args: Parameters<tf.KernelFunc>[0]): TensorInfo[] {
  const backend = asWasm(args.backend);
  const { value: x } = args.inputs as unknown as { value: TensorInfo };
  const { axis: a } = (args.attrs ?? {}) as unknown as tf.UnpackAttrs;
  const axis = a < 0 ? a + x.shape.length : a;
  const num = x.shape[axis];
  const outShape = x.shape.filter((_, i) => i !== axis);
  const inner = tf.util.sizeFromShape(outShape);
  const outer = tf.util.sizeFromShape(x.shape.slice(0, axis));
  const outs: TensorInfo[] = [];
  for (let i = 0; i < num; i++) {
    if (outer === 1) {
      outs.push(sliceFlat(backend, x, i * inner, outShape));
      continue;
    }
    const begin = x.shape.map((_, d) => (d === axis ? i : 0));
    const size = x.shape.map((s, d) => (d === axis ? 1 : s));
    const piece = call('Slice', backend, { x }, { begin, size });
    outs.push(reshape(backend, piece, outShape));
    dispose(backend, piece);
  }
  return outs;
}

export const unpackConfig: tf.KernelConfig = {
  kernelName: 'Unpack',
  backendName: 'wasm',
  kernelFunc: unpack as unknown as tf.KernelFunc,
};
