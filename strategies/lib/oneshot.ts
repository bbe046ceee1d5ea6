// The strategy side of the single-path weight-sharing searches (enas, spos): like darts, a pure state
// machine whose gradient work is one supernet trial the engine runs through the evaluator
// (engine/training/oneshot):
//   1. ask() -> { supernet: { id, method, options } } (trial `supernet:<method>`);
//   2. tell(supernet trial) -> its info.derived (top-K under shared weights, with info.ws_scores)
//      and info.rank_check (extra random architectures) are queued;
//   3. ask() proposes them as ordinary trials, each with info.ws_score (its shared-weight score, rank_by),
//      which the engine correlates with the stand-alone results (engine/search/ranking.ts);
//   4. done.
// Resume as in darts: an interrupted supernet trial is re-run, a finished one is told from the store.
// Without a supernet-capable evaluator it degrades to random sampling (info.origin = 'random-fallback').

import type { Arch, Json, JsonObject, TrialRecord } from '../../engine/core/types.js';
import { Rng } from '../../engine/core/rng.js';
import type { Ask, Strategy, StrategyContext } from '../../engine/core/strategy.js';
import type { OneShotMethod, OneShotOptions } from '../../engine/core/supernet.js';
import { supernetKey } from '../../engine/core/trial.js';
import { checkSnapshot, rngStateOf, sampleFresh } from './common.js';

const VERSION = 1;

type Phase = 'search' | 'running' | 'propose' | 'done' | 'fallback';

interface Queued {
  arch: Arch;
  info: JsonObject;
}

interface State {
  phase: Phase;
  queue: Queued[];
  proposed: number;
  rng: Rng;
  seen: Set<string>;
  note: string;
}

export class OneShotStrategy implements Strategy {
  private s: State;

  constructor(
    private readonly method: OneShotMethod,
    private readonly options: OneShotOptions,
    private readonly ctx: StrategyContext,
  ) {
    this.s = {
      phase: ctx.capabilities?.supernet ? 'search' : 'fallback',
      queue: [],
      proposed: 0,
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
        return {
          supernet: { id: this.method, method: this.method, options: this.options as JsonObject },
          info: { origin: `${this.method}-supernet` },
        };
      case 'running':
        return { wait: true };
      case 'propose': {
        const next = s.queue.shift();
        if (next === undefined) {
          s.phase = 'done';
          return { done: true };
        }
        s.proposed++;
        return { arch: next.arch, info: next.info };
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
    if (trial.key !== supernetKey(this.method) || s.phase !== 'running') return;
    const info = trial.info ?? {};
    const derived = Array.isArray(info.derived) ? info.derived : [];
    const scores = Array.isArray(info.ws_scores) ? info.ws_scores : [];
    const check = Array.isArray(info.rank_check) ? info.rank_check : [];
    const queue: Queued[] = [];
    const keys = new Set<string>();
    const add = (a: Json, score: Json | undefined, origin: string) => {
      try {
        const arch = this.ctx.space.validate(a);
        const key = this.ctx.space.key(arch);
        if (keys.has(key)) return;
        keys.add(key);
        const rank = queue.filter((q) => q.info.origin === origin).length + 1;
        queue.push({
          arch,
          info: { origin, rank, ...(typeof score === 'number' ? { ws_score: score } : {}) },
        });
      } catch {
        // not an architecture of this space (should not happen): skipped
      }
    };
    derived.forEach((a, i) => add(a, scores[i], `${this.method}-derived`));
    for (const c of check) {
      const o = c as { arch?: Json; score?: Json } | null;
      if (o && typeof o === 'object' && o.arch !== undefined) add(o.arch, o.score, 'rank-check');
    }
    if (trial.state !== 'complete' || queue.length === 0) {
      s.note =
        trial.state === 'complete'
          ? 'the supernet derived no architecture'
          : `the supernet search failed: ${trial.error ?? trial.state}`;
      s.phase = 'done';
      return;
    }
    s.queue = queue;
    s.phase = 'propose';
  }

  snapshot(): Json {
    const s = this.s;
    return {
      type: this.method,
      version: VERSION,
      phase: s.phase,
      queue: s.queue.map((q) => ({ arch: q.arch, info: q.info })),
      proposed: s.proposed,
      rng: s.rng.state(),
      seen: [...s.seen],
      note: s.note,
    };
  }

  restore(state: Json): void {
    const j = checkSnapshot(state, this.method, VERSION);
    this.s = {
      phase: j.phase as Phase,
      queue: (j.queue as unknown as Queued[]).map((q) => ({ arch: q.arch, info: q.info })),
      proposed: Number(j.proposed),
      rng: Rng.fromState(rngStateOf(j.rng)),
      seen: new Set(j.seen as string[]),
      note: String(j.note ?? ''),
    };
  }
}

/** Options schema entries shared by enas and spos (defaults from ONESHOT_DEFAULTS). */
export function sharedOneShotSchema(d: Required<Omit<OneShotOptions, 'skeleton'>>): Record<string, JsonObject> {
  return {
    epochs: { type: 'integer', minimum: 1, default: d.epochs, description: 'supernet training epochs' },
    batch_size: { type: 'integer', minimum: 2, default: d.batch_size, description: 'training batch size' },
    learning_rate: {
      type: 'number',
      exclusiveMinimum: 0,
      default: d.learning_rate,
      description: 'shared weights: momentum-SGD learning rate, cosine-annealed',
    },
    weight_decay: { type: 'number', minimum: 0, default: d.weight_decay, description: 'shared weights: L2 decay' },
    grad_clip: {
      type: 'number',
      minimum: 0,
      default: d.grad_clip,
      description: 'shared weights: clip the gradient to this global norm (0: off)',
    },
    max_steps: {
      type: 'integer',
      minimum: 0,
      default: d.max_steps,
      description: 'batches per epoch at most (0: the whole training split)',
    },
    rank_by: {
      enum: ['likelihood', 'accuracy'],
      default: d.rank_by,
      description:
        "the shared-weight score that ranks architectures (and is enas' reward): 'likelihood', exp(-mean validation cross-entropy), orders architectures whose accuracies on a few hundred images tie; 'accuracy' as ENAS and SPOS published",
    },
    score_examples: {
      type: 'integer',
      minimum: 0,
      default: d.score_examples,
      description: 'validation examples a shared-weight score is measured on (0: all)',
    },
    candidates: {
      type: 'integer',
      minimum: 1,
      default: d.candidates,
      description: 'top architectures under shared weights proposed as trials (trained from scratch)',
    },
    rank_check: {
      type: 'integer',
      minimum: 0,
      default: d.rank_check,
      description:
        'extra random architectures scored under shared weights and trained stand-alone, so the rank correlation (kendall_tau) has more than the top-K',
    },
    skeleton: {
      type: 'object',
      additionalProperties: false,
      required: ['channels', 'cells', 'stages'],
      description: "cell spaces: the supernet's network skeleton (default: the space's skeleton)",
      properties: {
        channels: { type: 'integer', minimum: 1 },
        cells: { type: 'integer', minimum: 1 },
        stages: { type: 'integer', minimum: 1 },
      },
    },
  };
}
