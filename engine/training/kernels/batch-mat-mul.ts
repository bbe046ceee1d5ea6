/**
 * BatchMatMul for the wasm backend, native (`matmul` in kernels.c: register tiles, and the
 * reduction in L2-sized blocks so that a B larger than the cache is read from memory once, which
 * also keeps it fast when another worker shares the cache), reading A and B in place. The bundled
 * kernel multiplies untransposed operands through XNNPACK, which packs B on every call (in training
 * B is a new tensor each step: 3.5 ms for a [32,6272] x [6272,128] flatten head, 1.0 ms here), and
 * falls back to a scalar loop (~1.6 GMAC/s) when an operand is transposed, which is how every
 * dense layer's gradients call it (dX = dY x W^T, dW = X^T x dY). Transposed operands are
 * transposed for real first (native tiled copies), or, when that moves less data, the product is
 * taken the other way round, C^T = B'^T x A'^T, and transposed back: dX = (W x dY^T)^T copies
 * the small dY, not the large W.
 */
import * as tf from '@tensorflow/tfjs';
import { callBundled } from './bundled.js';
import { asWasm, dispose, type TensorInfo, type WasmBackend } from './wasm-ops.js';
import { heapOffset, nativeKernels } from './native/module.js';

/** x with its last two axes swapped, as a new tensor (native tiled copy). */
function swapLast(backend: WasmBackend, x: TensorInfo): TensorInfo {
  const r = x.shape.length;
  const rows = x.shape[r - 2],
    cols = x.shape[r - 1];
  const out = backend.makeOutput([...x.shape.slice(0, r - 2), cols, rows], x.dtype);
  nativeKernels(backend).transpose_last2(
    heapOffset(backend, x),
    heapOffset(backend, out),
    tf.util.sizeFromShape(x.shape.slice(0, r - 2)),
    rows,
    cols,
  );
  return out;
}

/** a [batchA, m, k] x b [batchB, k, n] (batches equal, or one of them 1) as [batch, m, n]. */
function multiply(backend: WasmBackend, a: TensorInfo, b: TensorInfo): TensorInfo {
  const r = a.shape.length;
  const m = a.shape[r - 2],
    k = a.shape[r - 1],
    n = b.shape[b.shape.length - 1];
  const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2)),
    batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
  const batch = Math.max(batchA, batchB);
  const out = backend.makeOutput([batch, m, n], 'float32');
  const native = nativeKernels(backend);
  const pa = heapOffset(backend, a),
    pb = heapOffset(backend, b),
    po = heapOffset(backend, out);
  if (batchB === 1) {
    // every batch of A against the one B: one product, the batches stacked as rows
    native.matmul(pa, pb, po, batch * m, k, n);
  } else {
    for (let s = 0; s < batch; s++) {
      native.matmul(pa + (batchA === 1 ? 0 : s * m * k * 4), pb + s * k * n * 4, po + s * m * n * 4, m, k, n);
    }
  }
  return out;
}

function batchMatMul(args: Parameters<tf.KernelFunc>[0]): TensorInfo {
  const { a, b } = args.inputs as unknown as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = (args.attrs ?? {}) as unknown as tf.BatchMatMulAttrs;
  const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2)),
    batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
  const outBatch = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  // float32, and batches that are equal or broadcast from one (the bundled kernel's own limits
  // otherwise: it reports them)
  if (
    a.dtype !== 'float32' ||
    b.dtype !== 'float32' ||
    (batchA !== batchB && batchA !== 1 && batchB !== 1) ||
    a.shape[a.shape.length - (transposeA ? 2 : 1)] !== b.shape[b.shape.length - (transposeB ? 1 : 2)]
  ) {
    return callBundled('BatchMatMul', args);
  }
  const backend = asWasm(args.backend);
  const size = (t: TensorInfo) => tf.util.sizeFromShape(t.shape);
  const m = a.shape[a.shape.length - (transposeA ? 1 : 2)],
    n = b.shape[b.shape.length - (transposeB ? 2 : 1)];
  const outSize = Math.max(batchA, batchB) * m * n;
  // elements copied by transposes either way
  const direct = (transposeA ? size(a) : 0) + (transposeB ? size(b) : 0);
  const swapped = (transposeB ? 0 : size(b)) + (transposeA ? 0 : size(a)) + outSize;
  const owned: TensorInfo[] = [];
  const keep = (t: TensorInfo) => (owned.push(t), t);
  let out: TensorInfo;
  if (direct <= swapped) {
    out = multiply(backend, transposeA ? keep(swapLast(backend, a)) : a, transposeB ? keep(swapLast(backend, b)) : b);
  } else {
    const outT = keep(
      multiply(backend, transposeB ? b : keep(swapLast(backend, b)), transposeA ? a : keep(swapLast(backend, a))),
    );
    out = swapLast(backend, outT);
  }
  dispose(backend, ...owned);
  return { ...out, shape: [...outBatch, m, n] };
}

export const batchMatMulConfig: tf.KernelConfig = {
  kernelName: 'BatchMatMul',
  backendName: 'wasm',
  kernelFunc: batchMatMul,
};
