// ENAS (Pham et al. 2018) on cell and chain spaces: one supernet trial in which an LSTM controller
// samples a path per training batch (only that path's weights move) and is trained by REINFORCE on
// the validation split; the top architectures of `sample` controller draws under shared weights are
// then trained from scratch as trials. The machinery is in strategies/lib/oneshot.ts and
// engine/training/oneshot/.

import type { StrategyDefinition } from '../engine/core/strategy.js';
import { ONESHOT_DEFAULTS, type OneShotOptions } from '../engine/core/supernet.js';
import { OneShotStrategy, sharedOneShotSchema } from './lib/oneshot.js';

const D = ONESHOT_DEFAULTS;

export const enas: StrategyDefinition<OneShotOptions> = {
  type: 'enas',
  description:
    "ENAS (Pham et al. 2018): weight sharing on the DARTS supernet; an LSTM controller samples one path per training batch (only its weights are trained) and learns by REINFORCE from the sampled paths' validation score under shared weights (rank_by); the top architectures are trained from scratch as trials, and the run stores how well the shared ranking agreed (kendall_tau). Needs an evaluator that trains (type train); otherwise random sampling.",
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      ...sharedOneShotSchema(D),
      controller: {
        enum: ['lstm', 'random'],
        default: D.controller,
        description:
          "'lstm': the ENAS controller; 'random': uniform paths and a uniform draw ranked under shared weights (random search with weight sharing, the baseline ENAS should beat)",
      },
      warmup: {
        type: 'integer',
        minimum: 0,
        default: D.warmup,
        description:
          'epochs whose weight phase samples paths uniformly before the controller steers it (the controller starts learning in the last of them), so parametric ops are trained before they are judged',
      },
      weight_paths: {
        enum: ['controller', 'uniform'],
        default: D.weight_paths,
        description:
          "after the warmup, the paths the weight phase trains: 'controller' (ENAS: the controller's samples, so its favourites get the most training) or 'uniform' (the shared weights stay those of random-ws and the controller only searches them)",
      },
      controller_steps: {
        type: 'integer',
        minimum: 0,
        default: D.controller_steps,
        description: 'controller updates per epoch',
      },
      controller_samples: {
        type: 'integer',
        minimum: 1,
        default: D.controller_samples,
        description: 'paths sampled (each scored on reward_examples validation images) per controller update',
      },
      controller_learning_rate: {
        type: 'number',
        exclusiveMinimum: 0,
        default: D.controller_learning_rate,
        description: "the controller's Adam learning rate",
      },
      entropy: { type: 'number', minimum: 0, default: D.entropy, description: 'entropy bonus of the controller' },
      baseline_decay: {
        type: 'number',
        minimum: 0,
        maximum: 1,
        default: D.baseline_decay,
        description: 'decay of the moving-average reward baseline',
      },
      reward_examples: {
        type: 'integer',
        minimum: 0,
        default: D.reward_examples,
        description:
          'validation examples each controller reward is measured on, the next slice of the shuffled split each time (0: all): a reward on one training-sized batch moves in steps of 1/batch, coarser than the gaps between good cells',
      },
      sample: {
        type: 'integer',
        minimum: 1,
        default: D.sample,
        description: 'architectures drawn from the trained controller and ranked under shared weights',
      },
    },
  },
  create: (options, ctx) => new OneShotStrategy('enas', options, ctx),
};
