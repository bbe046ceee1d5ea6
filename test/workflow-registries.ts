// The registries the workflow tests validate against: the real ones, plus stand-ins for the entries the
// fixtures use that are not registered yet (registries are filled by separate issues). A stand-in is
// dropped as soon as the real definition exists, so the fixtures end up checked against the real thing.

import type { JsonObject } from '../engine/core/types.js';
import {
  defaultRegistries,
  type EvaluatorEntry,
  type Registries,
  type StrategyEntry,
} from '../engine/workflow/registries.js';

const object = (properties: Record<string, unknown>, required: string[] = []) => ({
  type: 'object',
  additionalProperties: false,
  properties,
  required,
});

const STRATEGY_STANDINS: StrategyEntry[] = [
  { type: 'random', description: 'stand-in', optionsSchema: object({}) },
  {
    type: 'regularized-evolution',
    description: 'stand-in',
    optionsSchema: object({
      population: { type: 'integer', minimum: 2, default: 20 },
      sample: { type: 'integer', minimum: 1, default: 5 },
    }),
  },
];

const EVALUATOR_STANDINS: EvaluatorEntry[] = [
  {
    type: 'train',
    description: 'stand-in',
    optionsSchema: object({ epochs: { type: 'integer', minimum: 1, default: 3 } }),
    metrics: () => ['accuracy', 'loss', 'params', 'flops'],
    needsDataset: true,
  },
  {
    type: 'benchmark',
    description: 'stand-in',
    optionsSchema: object({ table: { type: 'string', 'x-path': 'file' }, metric: { type: 'string' } }, [
      'table',
      'metric',
    ]),
    metrics: (o: JsonObject) => ['accuracy', String(o.metric)],
  },
];

export function registries(): Registries {
  const real = defaultRegistries();
  const missing = <T extends { type: string }>(have: readonly T[], standins: T[]) =>
    standins.filter((s) => !have.some((h) => h.type === s.type));
  return {
    strategies: [...real.strategies, ...missing(real.strategies, STRATEGY_STANDINS)],
    evaluators: [...real.evaluators, ...missing(real.evaluators, EVALUATOR_STANDINS)],
  };
}
