// Spec -> model. Throws TrialError (not retryable) when the architecture cannot be built.

import type * as tf from '@tensorflow/tfjs';
import { buildCell } from './cell.js';
import { buildChain } from './chain.js';
import { SeededInit } from './init.js';
import { unbuildable } from './params.js';
import type { ModelSpec } from './types.js';

export function buildModel(spec: ModelSpec): tf.LayersModel {
  if (
    !Array.isArray(spec.inputShape) ||
    spec.inputShape.length === 0 ||
    spec.inputShape.some((d) => !Number.isInteger(d) || d < 1)
  ) {
    throw unbuildable(`input shape must be positive integers, got ${JSON.stringify(spec.inputShape)}`);
  }
  if (!spec.regression && (!Number.isInteger(spec.classes) || spec.classes < 2))
    throw unbuildable(`classes must be an integer >= 2, got ${spec.classes}`);
  const init = new SeededInit(spec.seed ?? 0);
  switch (spec.space) {
    case 'chain':
      return buildChain(spec, init);
    case 'cell':
      return buildCell(spec, init);
    default:
      throw unbuildable(`unknown space kind ${JSON.stringify((spec as { space: unknown }).space)}`);
  }
}
