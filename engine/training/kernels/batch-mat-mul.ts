/**
 * BatchMatMul for the wasm backend with transposed operands. The bundled kernel multiplies
 * untransposed operands through XNNPACK (~21 GMAC/s here, packing the right operand on every
 * call) but falls back to a scalar loop when either is transposed (~1.6 GMAC/s), and that is how
 * every dense layer's gradients call it (dX = dY x W^T, dW = X^T x dY): 16 ms each for a
 * [32,6272] x [6272,128] flatten head. So transposed operands are transposed for real first
 * (native tiled copies), or, when that moves less data, the product is taken the other way round,
 * C^T = B'^T x A'^T, and transposed back: dX = (W x dY^T)^T copies the small dY, not the large W.
 */
import * as tf from '@tensorflow/tfjs';
import {callBundled} from './bundled.js';
import {asWasm, dispose, type TensorInfo} from './wasm-ops.js';
import {heapOffset, nativeKernels} from './native/module.js';

/** x with its last two axes swapped, as a new tensor (native tiled copy). */
function swapLast(backend: ReturnType<typeof asWasm>, x: TensorInfo): TensorInfo {
  const r = x.shape.length;
  const rows = x.shape[r - 2], cols = x.shape[r - 1];
  const out = backend.makeOutput([...x.shape.slice(0, r - 2), cols, rows], x.dtype);
  nativeKernels(backend).transpose_last2(heapOffset(backend, x), heapOffset(backend, out), tf.util.sizeFromShape(x.shape.slice(0, r - 2)), rows, cols);
  return out;
}

function batchMatMul(args: Parameters<tf.KernelFunc>[0]): TensorInfo {
  const {a, b} = args.inputs as unknown as {a: TensorInfo; b: TensorInfo};
  const {transposeA, transposeB} = (args.attrs ?? {}) as unknown as tf.BatchMatMulAttrs;
  if ((!transposeA && !transposeB) || a.dtype !== 'float32' || b.dtype !== 'float32') return callBundled('BatchMatMul', args);
  const backend = asWasm(args.backend);
  const size = (t: TensorInfo) => tf.util.sizeFromShape(t.shape);
  const rows = (t: TensorInfo, transposed: boolean) => t.shape[t.shape.length - (transposed ? 1 : 2)];
  const cols = (t: TensorInfo, transposed: boolean) => t.shape[t.shape.length - (transposed ? 2 : 1)];
  const outSize = Math.max(tf.util.sizeFromShape(a.shape.slice(0, -2)), tf.util.sizeFromShape(b.shape.slice(0, -2))) *
    rows(a, transposeA) * cols(b, transposeB);
  // elements copied (transposes) and packed (XNNPACK's right operand) either way
  const direct = (transposeA ? size(a) : 0) + (transposeB ? size(b) : 0) + size(b);
  const swapped = (transposeB ? 0 : size(b)) + (transposeA ? 0 : size(a)) + size(a) + outSize;
  const multiply = (left: TensorInfo, right: TensorInfo) =>
    callBundled('BatchMatMul', {...args, inputs: {a: left, b: right}, attrs: {...args.attrs, transposeA: false, transposeB: false}});
  const owned: TensorInfo[] = [];
  const keep = (t: TensorInfo) => (owned.push(t), t);
  let out: TensorInfo;
  if (direct <= swapped) {
    out = multiply(transposeA ? keep(swapLast(backend, a)) : a, transposeB ? keep(swapLast(backend, b)) : b);
  } else {
    const outT = keep(multiply(transposeB ? b : keep(swapLast(backend, b)), transposeA ? a : keep(swapLast(backend, a))));
    out = swapLast(backend, outT);
  }
  dispose(backend, ...owned);
  return out;
}

export const batchMatMulConfig: tf.KernelConfig = {
  kernelName: 'BatchMatMul',
  backendName: 'wasm',
  kernelFunc: batchMatMul,
};
