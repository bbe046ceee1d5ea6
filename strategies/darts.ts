// DARTS (Liu et al. 2019) as a strategy of the run, not an opaque trial, on cell spaces (a mixed op per
// edge) and chain spaces (a mixed op per layer slot; see engine/training/darts/chain.ts). The strategy stays a pure
// state machine; the gradient work is one supernet job the engine runs through the evaluator:
//   1. ask() -> { supernet: { id, options } }: the engine stores it as trial `supernet:darts`,
//      runs it in a pool worker (progress per epoch: losses, alpha entropy) and keeps its alphas per
//      epoch and the derived architectures in the trial's info.
//   2. tell(supernet trial) -> the derived architectures (engine/training/darts/derive.ts, with the
//      collapse guard) are queued; ask() proposes them as ordinary trials, which the same evaluator
//      trains from scratch like any candidate.
//   3. done.
// Resume: the supernet proposal is a trial like any other, inserted `running` with the checkpoint
// taken after ask(); a run killed during the search re-runs it on resume, a finished one is in the
// store and its tell() is in the checkpoint, so it is never run again.
// Without an evaluator that can train a supernet (a benchmark table, the strategy contract's fake
// objective), darts degrades to random sampling and marks each proposal info.origin = 'random-fallback'.

import type { Arch, Json, JsonObject, TrialRecord } from '../engine/core/types.js';
import { Rng } from '../engine/core/rng.js';
import type { Ask, Strategy, StrategyContext, StrategyDefinition } from '../engine/core/strategy.js';
import { supernetKey } from '../engine/core/trial.js';
import { checkSnapshot, rngStateOf, sampleFresh } from './lib/common.js';
import { DARTS_DEFAULTS, type DartsOptions } from '../engine/core/supernet.js';

const TYPE = 'darts';
const VERSION = 1;
const ID = 'darts';

type Phase = 'search' | 'running' | 'propose' | 'done' | 'fallback';

interface State {
  phase: Phase;
  queue: Arch[];
  proposed: string[];
  rng: Rng;
  seen: Set<string>;
  note: string;
}

class Darts implements Strategy {
  private s: State;

  constructor(
    private readonly options: DartsOptions,
    private readonly ctx: StrategyContext,
  ) {
    this.s = {
      phase: ctx.capabilities?.supernet ? 'search' : 'fallback',
      queue: [],
      proposed: [],
      rng: new Rng(ctx.seed),
      seen: new Set(),
      note: '',
    };
  }

  ask(): Ask {
    const s = this.s;
    switch (s.phase) {
      case 'search':
        s.phase = 'running';
        return { supernet: { id: ID, options: this.options as JsonObject }, info: { origin: 'darts-supernet' } };
      case 'running':
        return { wait: true };
      case 'propose': {
        const arch = s.queue.shift();
        if (arch === undefined) {
          s.phase = 'done';
          return { done: true };
        }
        const key = this.ctx.space.key(arch);
        s.proposed.push(key);
        return { arch, info: { origin: 'darts-derived', rank: s.proposed.length } };
      }
      case 'fallback': {
        const arch = sampleFresh(this.ctx.space, s.rng, s.seen, this.ctx.warmStart?.priors);
        if (arch === null) return { done: true };
        s.seen.add(this.ctx.space.key(arch));
        return { arch, info: { origin: 'random-fallback', reason: 'the evaluator cannot train a supernet' } };
      }
      default:
        return { done: true };
    }
  }

  tell(trial: TrialRecord): void {
    const s = this.s;
    if (trial.key !== supernetKey(ID) || s.phase !== 'running') return;
    const derived = (trial.info?.derived ?? []) as Json[];
    const valid: Arch[] = [];
    for (const a of Array.isArray(derived) ? derived : []) {
      try {
        valid.push(this.ctx.space.validate(a));
      } catch {
        // not an architecture of this space (should not happen): skipped
      }
    }
    if (trial.state !== 'complete' || valid.length === 0) {
      // the engine already retried it; nothing to derive from
      s.note =
        trial.state === 'complete'
          ? 'the supernet derived no architecture'
          : `the supernet search failed: ${trial.error ?? trial.state}`;
      s.phase = 'done';
      return;
    }
    s.queue = valid;
    s.phase = 'propose';
  }

  snapshot(): Json {
    const s = this.s;
    return {
      type: TYPE,
      version: VERSION,
      phase: s.phase,
      queue: [...s.queue],
      proposed: [...s.proposed],
      rng: s.rng.state(),
      seen: [...s.seen],
      note: s.note,
    };
  }

  restore(state: Json): void {
    const j = checkSnapshot(state, TYPE, VERSION);
    this.s = {
      phase: j.phase as Phase,
      queue: j.queue as Arch[],
      proposed: j.proposed as string[],
      rng: Rng.fromState(rngStateOf(j.rng)),
      seen: new Set(j.seen as string[]),
      note: String(j.note ?? ''),
    };
  }
}

const D = DARTS_DEFAULTS;

export const darts: StrategyDefinition<DartsOptions> = {
  type: TYPE,
  description:
    'DARTS (Liu et al. 2019): one supernet trial (a softmax(alpha)-weighted mixed op on every cell edge or chain slot; weights on the training split, alphas on the validation split) whose derived architectures are trained from scratch as trials; perturbation-based selection (DARTS-PT) and DARTS+ early stopping guard against the collapse to parameter-free ops. Needs an evaluator that trains (type train); otherwise random sampling.',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      epochs: { type: 'integer', minimum: 1, default: D.epochs, description: 'supernet training epochs' },
      batch_size: {
        type: 'integer',
        minimum: 2,
        default: D.batch_size,
        description: 'batch size of both the weight and the alpha steps',
      },
      optimizer: {
        enum: ['sgd', 'adam'],
        default: D.optimizer,
        description: 'weights: SGD with momentum 0.9 and a cosine schedule (DARTS), or Adam',
      },
      learning_rate: {
        type: 'number',
        exclusiveMinimum: 0,
        default: D.learning_rate,
        description: 'weights: initial learning rate (cosine-annealed with sgd)',
      },
      learning_rate_min: {
        type: 'number',
        minimum: 0,
        default: D.learning_rate_min,
        description: 'weights: final learning rate of the cosine schedule',
      },
      weight_decay: {
        type: 'number',
        minimum: 0,
        default: D.weight_decay,
        description: 'weights: L2 decay added to the gradients',
      },
      warmup: {
        type: 'integer',
        minimum: 0,
        default: D.warmup,
        description:
          'epochs that train only the weights before the alphas move (P-DARTS/PC-DARTS warm-up: parametric ops get trained before they are judged)',
      },
      grad_clip: {
        type: 'number',
        minimum: 0,
        default: D.grad_clip,
        description: 'weights: clip the gradient to this global norm (0: off)',
      },
      arch_learning_rate: {
        type: 'number',
        exclusiveMinimum: 0,
        default: D.arch_learning_rate,
        description: 'alphas: Adam learning rate (beta1 0.5, beta2 0.999)',
      },
      arch_weight_decay: { type: 'number', minimum: 0, default: D.arch_weight_decay, description: 'alphas: L2 decay' },
      order: {
        enum: ['first', 'second'],
        default: D.order,
        description:
          "alpha gradient: 'first' order, or DARTS' 'second'-order finite-difference approximation (about 3x slower)",
      },
      alpha_data: {
        enum: ['validation', 'train-half'],
        default: D.alpha_data,
        description:
          "alphas trained on the validation split, or on half of the training split (DARTS' own protocol; weights then get the other half)",
      },
      select: {
        enum: ['perturbation', 'alpha'],
        default: D.select,
        description:
          "how each edge's op is chosen: 'perturbation' (DARTS-PT: the op whose removal raises the supernet's loss most) or 'alpha' (DARTS: the largest alpha)",
      },
      guard: {
        enum: ['early-stop', 'none'],
        default: D.guard,
        description:
          'collapse guard: DARTS+ early stopping when the derived cell has max_skip skip connections or no parametric op',
      },
      max_skip: {
        type: 'integer',
        minimum: 1,
        default: D.max_skip,
        description: 'early-stop: skip connections in the derived cell that count as collapse',
      },
      guard_after: {
        type: 'integer',
        minimum: 1,
        default: D.guard_after,
        description: 'early-stop: first epoch at which the guard may stop the search',
      },
      beta_decay: {
        type: 'number',
        minimum: 0,
        default: D.beta_decay,
        description: "beta-DARTS' Beta-Decay regularisation weight on the alphas (0: off)",
      },
      inputs_per_node: {
        type: 'integer',
        minimum: 1,
        description: 'cell: incoming edges each node keeps (DARTS: 2; the others become none); default: all (NB201)',
      },
      candidates: {
        type: 'integer',
        minimum: 1,
        default: D.candidates,
        description: 'derived architectures proposed as trials (the next ones flip the least certain edges)',
      },
      skeleton: {
        type: 'object',
        additionalProperties: false,
        required: ['channels', 'cells', 'stages'],
        description: "the supernet's network skeleton (default: the space's skeleton)",
        properties: {
          // bounded like the cell space's skeleton (engine/workflow/schema.ts)
          channels: { type: 'integer', minimum: 1, maximum: 4096, description: 'channels of the first stage' },
          cells: { type: 'integer', minimum: 1, maximum: 64, description: 'cells per stage' },
          stages: { type: 'integer', minimum: 1, maximum: 8, description: 'stages (a reduction block between two)' },
        },
      },
      max_steps: {
        type: 'integer',
        minimum: 0,
        default: D.max_steps,
        description: 'batches per epoch at most (0: the whole training split; for quick tests)',
      },
    },
  },
  create: (options, ctx) => new Darts(options, ctx),
};
