// Reading a layer's parameters with the layer type's defaults, and failing the trial (not the run)
// with a clear message when an architecture cannot be built.

import { TrialError } from '../../core/errors.js';
import { ACTIVATIONS, LAYER_TYPES } from '../../space/layers.js';
import type { Json } from '../../core/types.js';
import type { ChainLayer } from './types.js';

/** The architecture itself is unbuildable: retrying cannot help. */
export function unbuildable(message: string): TrialError {
  return new TrialError(message, false);
}

function param(layer: ChainLayer, name: string): Json | undefined {
  return layer[name] ?? LAYER_TYPES[layer.type]?.params[name]?.[0];
}

export function intParam(layer: ChainLayer, name: string, min = 1): number {
  const v = param(layer, name);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw unbuildable(`${layer.type}: ${name} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  }
  return v;
}

export function rateParam(layer: ChainLayer, name: string): number {
  const v = param(layer, name);
  if (typeof v !== 'number' || !(v >= 0 && v < 1))
    throw unbuildable(`${layer.type}: ${name} must be in [0, 1), got ${JSON.stringify(v)}`);
  return v;
}

export function boolParam(layer: ChainLayer, name: string): boolean {
  return param(layer, name) === true;
}

export type Activation = (typeof ACTIVATIONS)[number];

export function activationParam(layer: ChainLayer): Activation {
  const v = param(layer, 'activation') ?? 'relu';
  if (typeof v !== 'string' || !(ACTIVATIONS as readonly string[]).includes(v)) {
    throw unbuildable(
      `${layer.type}: unknown activation ${JSON.stringify(v)}; choose one of ${ACTIVATIONS.join(', ')}`,
    );
  }
  return v as Activation;
}
