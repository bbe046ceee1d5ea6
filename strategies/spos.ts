// Single-path one-shot (SPOS, Guo et al. 2020) on cell and chain spaces: one supernet trial trained
// with a uniformly sampled path per batch, then an evolutionary search in which every architecture is
// scored with the inherited weights after recalibrating its BatchNorm statistics on a few training
// batches; the top architectures are trained from scratch as trials. The machinery is in
// strategies/lib/oneshot.ts and engine/training/oneshot/.

import type { StrategyDefinition } from '../engine/core/strategy.js';
import { ONESHOT_DEFAULTS, type OneShotOptions } from '../engine/core/supernet.js';
import { OneShotStrategy, sharedOneShotSchema } from './lib/oneshot.js';

const D = ONESHOT_DEFAULTS;

export const spos: StrategyDefinition<OneShotOptions> = {
  type: 'spos',
  description:
    'Single-path one-shot (SPOS, Guo et al. 2020): the DARTS supernet trained one uniformly sampled path per batch, then an evolutionary search scoring each architecture with inherited weights after BatchNorm recalibration; the top architectures are trained from scratch as trials, and the run stores how well the shared ranking agreed (kendall_tau). Needs an evaluator that trains (type train); otherwise random sampling.',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      ...sharedOneShotSchema(D),
      generations: { type: 'integer', minimum: 1, default: D.generations, description: 'evolution generations' },
      population: { type: 'integer', minimum: 2, default: D.population, description: 'evolution population' },
      recalibration_batches: {
        type: 'integer',
        minimum: 1,
        default: D.recalibration_batches,
        description: "training batches that recalibrate an architecture's BatchNorm statistics before it is scored",
      },
    },
  },
  create: (options, ctx) => new OneShotStrategy('spos', options, ctx),
};
