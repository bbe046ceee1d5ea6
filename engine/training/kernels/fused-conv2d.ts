/**
 * Conv2D -> bias -> relu as one wasm kernel, NasFusedConv2D, with a gradient of its own.
 *
 * tfjs-layers' Conv2D calls tf.fused.conv2d with its bias and activation, but tfjs-core fuses only
 * while no gradient is recorded (or the activation is linear): in training it runs Conv2D, Add and
 * Relu, three activation-sized tensors per layer and step. NasFusedConv2D writes one, adding the
 * bias and clamping each output row while it is in L1 (a quickstart-sized CNN's step: 6% faster,
 * measured A/B in one process). Its gradient
 * takes relu's mask from the saved output (y > 0 exactly where conv + bias > 0) and, like tfjs's
 * Conv2D gradient, computes only the gradients the tape asks for (never an image's).
 *
 * Outside training (validation, prediction) tfjs runs XNNPACK's FusedConv2D, which this kernel
 * also beats: 30-40% on an image's first conv at batch 256, 15-25% on the later ones.
 *
 * installFusedConv2D routes tf.fused.conv2d here for the calls it covers (wasm, NHWC, relu or
 * linear, a [outC] bias or none, dilation 1, float32) and passes every other call to tfjs's own
 * function. Models and their saved form are unchanged.
 */
import * as tf from '@tensorflow/tfjs';
import { convolve } from './conv2d.js';
import { reluGradient } from './relu-grad.js';
import { asWasm, type TensorInfo } from './wasm-ops.js';

export const FUSED_CONV2D = 'NasFusedConv2D';

interface FusedConv2DAttrs {
  strides: number | [number, number];
  pad: tf.Conv2DAttrs['pad'];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation: 'relu' | 'linear';
}

function fusedConv2d(args: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }): TensorInfo {
  const { x, filter, bias } = args.inputs as unknown as { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo };
  const a = args.attrs as unknown as FusedConv2DAttrs;
  const attrs: tf.Conv2DAttrs = {
    strides: a.strides,
    pad: a.pad,
    dataFormat: 'NHWC',
    dilations: 1,
    dimRoundingMode: a.dimRoundingMode,
  };
  return convolve(asWasm(args.backend), x, filter, attrs, bias, a.activation === 'relu');
}

export const fusedConv2dConfig: tf.KernelConfig = {
  kernelName: FUSED_CONV2D,
  backendName: 'wasm',
  kernelFunc: fusedConv2d,
};

export const fusedConv2dGradConfig: tf.GradConfig = {
  kernelName: FUSED_CONV2D,
  inputsToSave: ['x', 'filter'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter, y] = saved;
    const a = attrs as unknown as FusedConv2DAttrs;
    // shared by the three gradients; freed with the rest of the backward pass
    const g = a.activation === 'relu' ? reluGradient(dy as tf.Tensor, y) : (dy as tf.Tensor);
    const common = { strides: a.strides, pad: a.pad, dataFormat: 'NHWC', dimRoundingMode: a.dimRoundingMode };
    const run = (name: string, inputs: tf.NamedTensorMap, extra: tf.NamedAttrMap) =>
      tf.engine().runKernel(name, inputs, { ...common, ...extra } as unknown as tf.NamedAttrMap) as tf.Tensor;
    return {
      x: () => run('Conv2DBackpropInput', { dy: g, filter }, { inputShape: x.shape }),
      filter: () => run('Conv2DBackpropFilter', { x, dy: g }, { filterShape: filter.shape }),
      bias: () => tf.sum(g, [0, 1, 2]),
    };
  },
};

type FusedConv2DArgs<T extends tf.Tensor3D | tf.Tensor4D = tf.Tensor3D | tf.Tensor4D> = Parameters<
  typeof tf.fused.conv2d<T>
>[0];

const isFloatTensor = (t: unknown, rank: number): t is tf.Tensor =>
  t instanceof tf.Tensor && t.rank === rank && t.dtype === 'float32';

const one = (v: number | [number, number] | undefined) =>
  v == null || (Array.isArray(v) ? v.every((d) => d === 1) : v === 1);

/** The inputs NasFusedConv2D takes for this call, or undefined when tfjs's own function must run it. */
function fusedInputs(a: FusedConv2DArgs): tf.NamedTensorMap | undefined {
  const activation = a.activation ?? 'linear';
  const { x, filter, bias } = a;
  if (activation !== 'relu' && activation !== 'linear') return undefined;
  if ((a.dataFormat ?? 'NHWC') !== 'NHWC' || a.preluActivationWeights != null || !one(a.dilations)) return undefined;
  if (!isFloatTensor(x, 4) || !isFloatTensor(filter, 4) || x.shape[3] !== filter.shape[2]) return undefined;
  if (bias != null && !(isFloatTensor(bias, 1) && bias.shape[0] === filter.shape[3])) return undefined;
  if (tf.getKernel(FUSED_CONV2D, tf.getBackend()) === undefined) return undefined;
  return bias == null ? { x, filter } : { x, filter, bias };
}

let tfjsFusedConv2d: typeof tf.fused.conv2d | undefined;

function routedFusedConv2d<T extends tf.Tensor3D | tf.Tensor4D>(a: FusedConv2DArgs<T>): T {
  const inputs = fusedInputs(a);
  if (inputs == null) return tfjsFusedConv2d!(a);
  const attrs: FusedConv2DAttrs = {
    strides: a.strides,
    pad: a.pad,
    dimRoundingMode: a.dimRoundingMode,
    activation: a.activation === 'relu' ? 'relu' : 'linear',
  };
  return tf.engine().runKernel(FUSED_CONV2D, inputs, attrs as unknown as tf.NamedAttrMap) as T; // x is 4-D, as is T then
}

/** Routes tf.fused.conv2d through NasFusedConv2D where it applies (idempotent; per JS realm). */
export function installFusedConv2D(): void {
  const fused = tf.fused as { conv2d: typeof tf.fused.conv2d };
  if (fused.conv2d === routedFusedConv2d) return;
  tfjsFusedConv2d = fused.conv2d;
  fused.conv2d = routedFusedConv2d;
}
