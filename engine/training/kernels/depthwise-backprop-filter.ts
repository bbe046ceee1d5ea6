/**
 * DepthwiseConv2dNativeBackpropFilter for the wasm backend (which has none).
 *
 * dW[a,b,c,k] = sum_{n,i,j} x[n, i*sh + a*dh - top, j*sw + b*dw - left, c] * dy[n,i,j,c*m+k].
 * Giving every (channel, sample) pair its own channel makes this one depthwise convolution:
 * input x as [1,H,W,C*N], "filter" dy as [Ho,Wo,C*N,m], forward strides as dilations,
 * output [1,fh,fw,C*N*m]; a sum over N finishes it. (An im2col + BatchMatMul version was
 * 3x slower: wasm's batched matmul and stride-1 slices are scalar loops.)
 *
 * That convolution has an Ho x Wo kernel, which XNNPACK's depthwise path handles slowly, so
 * stride 1 (the usual case) instead goes tap by tap (see byTaps), ~2x faster again.
 */
import * as tf from '@tensorflow/tfjs';
import {geometry, trailingPad, type ConvGeometry, type Pad} from './conv-geometry.js';
import {asWasm, call, dispose, padOrCrop, reshape, sliceFlat, splitPad, transpose, type TensorInfo,
        type WasmBackend} from './wasm-ops.js';

/**
 * Stride 1: pad x to exactly the rows/columns the taps read, [N,Hp,Wp,C], and pad dy with
 * zeros to the same [N,Hp,Wp,C*m]. In memory order, tap (a,b) then reads x at a constant
 * offset (a*dh*Wp + b*dw)*C from dy's position, so one contiguous copy of x lines the tap
 * up with all of dy; positions past Ho/Wo meet dy's zero padding. Each tap is then a
 * Multiply and a leading-axis Sum (both native), with no strided slicing.
 */
function byTaps(backend: WasmBackend, x: TensorInfo, dy: TensorInfo, g: ConvGeometry): TensorInfo {
  const m = g.outC / g.inC;
  const hp = g.outH + (g.fh - 1) * g.dh, wp = g.outW + (g.fw - 1) * g.dw;
  const {bottom, right} = trailingPad(g);
  const b = splitPad(bottom), r = splitPad(right);
  const xc = padOrCrop(backend, x, 1, 0, b.crop, 0, r.crop);
  // One extra zero sample at the end keeps the last tap's shifted copy inside the buffer.
  const xp = call('PadV2', backend, {x: xc}, {
    paddings: [[0, 1], [g.padTop, b.pad], [g.padLeft, r.pad], [0, 0]], constantValue: 0,
  });
  const dyp = call('PadV2', backend, {x: dy}, {
    paddings: [[0, 0], [0, hp - g.outH], [0, wp - g.outW], [0, 0]], constantValue: 0,
  });
  dispose(backend, xc);
  // With a channel multiplier, repeat each x channel m times once here, so that every tap
  // multiplies equal shapes: wasm's Multiply broadcasting an inner axis is a slow path.
  let xs = xp;
  if (m > 1) {
    const x5 = reshape(backend, xp, [...xp.shape, 1]);
    xs = call('Tile', backend, {x: x5}, {reps: [1, 1, 1, 1, m]});
    dispose(backend, x5, xp);
  }
  const positions = g.batch * hp * wp;
  const dy3 = reshape(backend, dyp, [positions, g.inC, m]);
  const taps: TensorInfo[] = [];
  for (let a = 0; a < g.fh; a++) {
    for (let c = 0; c < g.fw; c++) {
      const shifted = sliceFlat(backend, xs, (a * g.dh * wp + c * g.dw) * g.inC * m, [positions, g.inC, m]);
      const prod = call('Multiply', backend, {a: shifted, b: dy3});                // [P,C,m]
      const tap = call('Sum', backend, {x: prod}, {axis: [0], keepDims: true});   // [1,C,m]
      dispose(backend, shifted, prod);
      taps.push(tap);
    }
  }
  dispose(backend, xs, dyp, dy3);
  const all = taps.length === 1 ? taps[0] : call('Concat', backend, taps, {axis: 0});
  if (taps.length !== 1) dispose(backend, ...taps);
  const out = reshape(backend, all, [g.fh, g.fw, g.inC, m]);
  dispose(backend, all);
  return out;
}

function depthwiseBackpropFilter(args: {inputs: tf.NamedTensorInfoMap; backend: {}; attrs?: tf.NamedAttrMap}): TensorInfo {
  const backend = asWasm(args.backend);
  const attrs = (args.attrs ?? {}) as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  const {x, dy} = args.inputs as unknown as {x: TensorInfo; dy: TensorInfo};
  const g = geometry(x.shape as [number, number, number, number], attrs.filterShape, attrs.strides,
                     attrs.dilations ?? 1, attrs.pad as Pad, attrs.dimRoundingMode, true);
  if (g.sh === 1 && g.sw === 1) return byTaps(backend, x, dy, g);
  const m = g.outC / g.inC;
  const {bottom, right} = trailingPad(g);
  const b = splitPad(bottom), r = splitPad(right);

  const xt = transpose(backend, x, [1, 2, 3, 0]);                              // [H,W,C,N]
  const x4 = reshape(backend, xt, [1, g.inH, g.inW, g.inC * g.batch]);
  const xc = padOrCrop(backend, x4, 1, 0, b.crop, 0, r.crop);                  // drop rows never read
  const dy5 = reshape(backend, dy, [g.batch, g.outH, g.outW, g.inC, m]);
  const dyt = transpose(backend, dy5, [1, 2, 3, 0, 4]);                        // [Ho,Wo,C,N,m]
  const f = reshape(backend, dyt, [g.outH, g.outW, g.inC * g.batch, m]);
  const conv = call('DepthwiseConv2dNative', backend, {x: xc, filter: f}, {
    strides: [g.dh, g.dw], dilations: [g.sh, g.sw], dimRoundingMode: undefined,
    pad: [[0, 0], [g.padTop, b.pad], [g.padLeft, r.pad], [0, 0]],
  } as unknown as tf.NamedAttrMap);                                            // [1,fh,fw,C*N*m]
  dispose(backend, xt, x4, xc, dy5, dyt, f);
  const five = reshape(backend, conv, [g.fh, g.fw, g.inC, g.batch, m]);
  const nLast = transpose(backend, five, [0, 1, 2, 4, 3]);                     // [fh,fw,C,m,N]
  const out = call('Sum', backend, {x: nLast}, {axis: [4], keepDims: false});  // [fh,fw,C,m]
  dispose(backend, conv, five, nLast);
  return out;
}

export const depthwiseBackpropFilterConfig: tf.KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropFilter,
};
