// The output layer: a softmax over the classes, or one linear unit for a regression target.

import type { ModelSpec } from './types.js';

export function headOf(spec: Pick<ModelSpec, 'classes' | 'regression'>): {
  units: number;
  activation: 'softmax' | 'linear';
} {
  return spec.regression ? { units: 1, activation: 'linear' } : { units: spec.classes, activation: 'softmax' };
}
