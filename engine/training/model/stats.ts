// Size and cost of a built model.
//
// FLOPs convention: multiply-accumulates (one multiply + one add = 1) of one sample's forward pass,
// counted for the layers that dominate cost: Conv2D (out_h*out_w*filters * k_h*k_w*c_in),
// DepthwiseConv2D (out_h*out_w*c_in*mult * k_h*k_w), SeparableConv2D (its depthwise part plus the
// pointwise out_h*out_w*c_in*mult*filters) and Dense (in_features*units per output position); for
// sequences Conv1D and NasDilatedConv1D (steps*filters * k*c_in), LSTM and GRU (NasRecurrent, or tfjs'
// LSTM, GRU and Bidirectional in models saved before it: steps * 4 or 3 gates
// * units*(c_in + units), twice when bidirectional) and NasTransformerEncoder (steps * the Q/K/V,
// output and feed-forward projections, plus heads * steps^2 * key_dim twice for scores and values). Biases,
// activations, batch norm, pooling and additions are not counted — the convention of NAS-Bench-201
// and most NAS papers' "FLOPs" (which are really MACs).

import type * as tf from '@tensorflow/tfjs';

/** All weights (Keras' "Total params", batch-norm moving statistics included), or only trainable ones. */
export function countParams(model: tf.LayersModel, options: { trainableOnly?: boolean } = {}): number {
  const weights = options.trainableOnly ? model.trainableWeights : model.weights;
  return weights.reduce((s, w) => s + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
}

function size(shape: (number | null)[]): number {
  return shape.reduce((a: number, b) => a * (b ?? 1), 1);
}

function kernelArea(config: tf.serialization.ConfigDict): number {
  const k = config.kernelSize;
  if (typeof k === 'number') return k * k;
  if (Array.isArray(k)) return k.reduce((a: number, b) => a * Number(b), 1);
  return 1;
}

function shapeOf(t: tf.SymbolicTensor | tf.SymbolicTensor[]): (number | null)[] {
  return (Array.isArray(t) ? t[0] : t).shape;
}

/** MACs of the sequence layers (see the header), or undefined for other classes. */
function sequenceFlops(layer: tf.layers.Layer, cls: string): number | undefined {
  const config = layer.getConfig();
  const inShape = shapeOf(layer.input);
  const outShape = shapeOf(layer.output);
  const steps = inShape[1] ?? 1;
  const cin = inShape[inShape.length - 1] ?? 1;
  const recurrent = (l: tf.layers.Layer, gates: number): number => {
    const units = Number(l.getConfig().units);
    return steps * gates * units * (cin + units);
  };
  switch (cls) {
    case 'Conv1D':
    case 'NasDilatedConv1D': {
      const ks = config.kernelSize ?? config.kernel;
      return size(outShape.slice(1)) * Number(Array.isArray(ks) ? ks[0] : ks) * cin;
    }
    case 'LSTM':
      return recurrent(layer, 4);
    case 'GRU':
      return recurrent(layer, 3);
    case 'NasRecurrent':
      return (config.bidirectional === true ? 2 : 1) * recurrent(layer, config.cell === 'lstm' ? 4 : 3);
    case 'Bidirectional': {
      const inner = (layer as unknown as { forwardLayer: tf.layers.Layer }).forwardLayer;
      return 2 * recurrent(inner, inner.getClassName() === 'LSTM' ? 4 : 3);
    }
    case 'NasTransformerEncoder': {
      const hk = Number(config.heads) * Number(config.keyDim);
      const ff = Number(config.ffUnits);
      return steps * (4 * cin * hk + 2 * cin * ff) + 2 * steps * steps * hk;
    }
    default:
      return undefined;
  }
}

export function layerFlops(layer: tf.layers.Layer): number {
  const cls = layer.getClassName();
  const seq = sequenceFlops(layer, cls);
  if (seq !== undefined) return seq;
  if (!['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'Dense'].includes(cls)) return 0;
  const config = layer.getConfig();
  const inShape = shapeOf(layer.input);
  const outShape = shapeOf(layer.output);
  const cin = inShape[inShape.length - 1] ?? 1;
  const out = size(outShape.slice(1)); // every output value
  switch (cls) {
    case 'Conv2D':
      return out * kernelArea(config) * cin;
    case 'DepthwiseConv2D':
      return out * kernelArea(config);
    case 'SeparableConv2D': {
      const positions = size(outShape.slice(1, -1));
      const mult = Number(config.depthMultiplier ?? 1);
      return positions * cin * mult * kernelArea(config) + out * cin * mult;
    }
    default: // Dense
      return out * cin;
  }
}

export function estimateFlops(model: tf.LayersModel): number {
  return model.layers.reduce((s, l) => s + layerFlops(l), 0);
}
