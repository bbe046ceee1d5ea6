/**
 * AvgPoolGrad for the wasm and cpu backends, replacing tfjs 4.22's, which is wrong at padded
 * borders.
 *
 * tfjs' forward AvgPool (cpu pool(); wasm via XNNPACK) divides each window by the number of
 * real input cells it covers: with 'same', numeric or explicit padding the padded cells are
 * not counted, and neither are cells past the input when dimRoundingMode 'ceil' makes the
 * last window overhang it (cpu; wasm's forward is broken there anyway). The bundled
 * AvgPoolGrad kernels divide by the full filter area instead, so at the borders the
 * gradient is off (0.27 against finite differences for a 3x3/1 'same' pool on 4x4).
 *
 * This kernel scatters dy[window] / count(window) onto the window's real cells, with
 * count(window) exactly the forward's divisor. A window with no real cell (possible only
 * with padding of at least the filter size) has no input to send a gradient to.
 * NHWC, O(N * H_out * W_out * fh * fw * C): the loop below on cpu, its port in
 * native/kernels.c (four channels at a time) on wasm.
 */
import * as tf from '@tensorflow/tfjs';
import { asWasm, type TensorInfo } from './wasm-ops.js';
import { heapOffset, nativeKernels } from './native/module.js';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap };

function poolInfo(args: KernelArgs): { dy: TensorInfo; input: TensorInfo; info: tf.backend_util.Conv2DInfo } {
  const attrs = (args.attrs ?? {}) as unknown as tf.AvgPoolGradAttrs & { dimRoundingMode?: 'floor' | 'round' | 'ceil' };
  const { dy, input } = args.inputs as unknown as { dy: TensorInfo; input: TensorInfo };
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  if (info.dataFormat !== 'channelsLast') throw new Error('AvgPoolGrad: only NHWC is supported');
  return { dy, input, info };
}

/** dx (zeroed by the caller) += the gradient of the valid-count average pool described by info. */
export function avgPoolGradLoop(g: Float32Array, dx: Float32Array, info: tf.backend_util.Conv2DInfo): void {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const { strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw } = info;
  const top = info.padInfo.top,
    left = info.padInfo.left;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      const r0 = i * sh - top;
      const rLo = Math.max(0, r0),
        rHi = Math.min(h, r0 + fh);
      if (rLo >= rHi) continue;
      for (let j = 0; j < ow; j++) {
        const q0 = j * sw - left;
        const qLo = Math.max(0, q0),
          qHi = Math.min(w, q0 + fw);
        if (qLo >= qHi) continue; // a window entirely in the padding
        const inv = 1 / ((rHi - rLo) * (qHi - qLo));
        const gBase = ((b * oh + i) * ow + j) * c;
        for (let r = rLo; r < rHi; r++) {
          for (let q = qLo; q < qHi; q++) {
            const base = ((b * h + r) * w + q) * c;
            for (let k = 0; k < c; k++) dx[base + k] += g[gBase + k] * inv;
          }
        }
      }
    }
  }
}

function avgPoolGradWasm(args: KernelArgs): TensorInfo {
  const backend = asWasm(args.backend);
  const { dy, input, info } = poolInfo(args);
  const out = backend.makeOutput(input.shape, 'float32');
  nativeKernels(backend).avg_pool_grad(
    heapOffset(backend, dy),
    heapOffset(backend, out),
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
  );
  return out;
}

/** The part of tfjs-backend-cpu's MathBackendCPU used here. */
interface CpuBackend {
  readSync(dataId: tf.DataId): tf.backend_util.BackendValues;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.backend_util.BackendValues): TensorInfo;
}

function avgPoolGradCpu(args: KernelArgs): TensorInfo {
  const backend = args.backend as CpuBackend;
  const { dy, input, info } = poolInfo(args);
  const raw = backend.readSync(dy.dataId);
  const g = raw instanceof Float32Array ? raw : Float32Array.from(raw as ArrayLike<number>);
  const dx = new Float32Array(tf.util.sizeFromShape(input.shape));
  avgPoolGradLoop(g, dx, info);
  return backend.makeTensorInfo(input.shape, 'float32', dx);
}

export const avgPoolGradConfig: tf.KernelConfig = {
  kernelName: 'AvgPoolGrad',
  backendName: 'wasm',
  kernelFunc: avgPoolGradWasm as unknown as tf.KernelFunc,
};

export const avgPoolGradCpuConfig: tf.KernelConfig = {
  kernelName: 'AvgPoolGrad',
  backendName: 'cpu',
  kernelFunc: avgPoolGradCpu as unknown as tf.KernelFunc,
};
