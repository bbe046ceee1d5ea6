// REINFORCE (Williams 1992; Zoph & Le 2017) with a controller over the space's decisions: independent
// categorical logits per decision (default) or an ENAS-style LSTM controller. Both are plain
// TypeScript with exact gradients (strategies/lib/controllers.ts), so runs are deterministic and
// snapshots hold the parameters as number arrays.
//
// Per sampled architecture with score r: advantage = (r - b) / s, where b is an exponential moving
// average of the rewards (the baseline) and s the standard deviation of the distinct results so far
// (so the same learning rate works for accuracies in 0..1 or 0..100). Every `batch` samples the
// controller takes one Adam step on mean(advantage * grad log pi) + entropy * grad H.
//
// A sample whose architecture was evaluated before is not proposed again: its known result is used
// as that sample's reward right away (it is a genuine on-policy sample, only its evaluation is
// free), and the controller samples again.

import { trialScore } from '../engine/core/trial.js';
import type { Json, JsonObject, TrialRecord } from '../engine/core/types.js';
import { Rng, deriveSeed } from '../engine/core/rng.js';
import type { Ask, Strategy, StrategyContext, StrategyDefinition } from '../engine/core/strategy.js';
import { PendingSet, RunningStats, checkSnapshot, toldChoices } from './lib/common.js';
import { Adam, type Controller, LogitsController, LstmController } from './lib/controllers.js';

export interface ReinforceOptions {
  controller?: 'logits' | 'lstm';
  learning_rate?: number;
  /** Samples per update. */
  batch?: number;
  /** Decay of the moving-average baseline. */
  baseline_decay?: number;
  /** Entropy bonus coefficient. */
  entropy?: number;
  /** LSTM hidden and embedding sizes. */
  hidden?: number;
  embedding?: number;
  /** Samples per ask before falling back to a mutation of the last sample. */
  retries?: number;
}

const TYPE = 'reinforce';
const VERSION = 1;

export class ReinforceStrategy implements Strategy {
  private readonly lr: number;
  private readonly batchSize: number;
  private readonly decay: number;
  private readonly beta: number;
  private readonly retries: number;
  private rng: Rng;
  private controller: Controller;
  private adam: Adam;
  private baseline: number | null = null;
  private stats = new RunningStats();
  private seen = new Map<string, number | null>();
  private pending = new PendingSet();
  private batch: { choices: number[]; adv: number }[] = [];
  private queue: number[][] = [];
  private samples = 0;
  private updates = 0;

  constructor(
    options: ReinforceOptions,
    private readonly ctx: StrategyContext,
  ) {
    const kind = options.controller ?? 'logits';
    this.lr = options.learning_rate ?? (kind === 'lstm' ? 0.02 : 0.2);
    this.batchSize = options.batch ?? 4;
    this.decay = options.baseline_decay ?? 0.9;
    this.beta = options.entropy ?? 0.01;
    this.retries = options.retries ?? 100;
    this.rng = new Rng(ctx.seed);
    const priors = ctx.warmStart?.priors;
    this.controller =
      kind === 'lstm'
        ? new LstmController(
            ctx.space,
            new Rng(deriveSeed(ctx.seed, 'lstm-init')),
            options.hidden ?? 32,
            options.embedding ?? 16,
          )
        : new LogitsController(ctx.space, priors);
    this.adam = new Adam(this.controller.params.length, this.lr);
    for (const o of ctx.warmStart?.observations ?? []) {
      const arch = ctx.space.validate(o.arch);
      const key = ctx.space.key(arch);
      if (this.seen.has(key) || !Number.isFinite(o.score)) continue;
      this.seen.set(key, o.score);
      this.stats.push(o.score);
    }
    for (const a of ctx.warmStart?.archs ?? []) this.queue.push(ctx.space.choicesOf(ctx.space.validate(a)));
  }

  /** Learns from one on-policy sample with a known score (null: failed, rewarded as the worst seen). */
  private learn(choices: number[], score: number | null): void {
    let r = score;
    if (r === null) {
      if (this.stats.n === 0) return;
      r = this.stats.min;
    }
    this.samples++;
    if (this.baseline === null) this.baseline = r;
    const sd = this.stats.std();
    const adv = sd > 0 ? (r - this.baseline) / sd : 0;
    this.baseline = this.decay * this.baseline + (1 - this.decay) * r;
    this.batch.push({ choices, adv });
    if (this.batch.length >= this.batchSize) this.update();
  }

  private update(): void {
    const grad = new Float64Array(this.controller.params.length);
    for (const s of this.batch) this.controller.accumulate(s.choices, s.adv, this.beta, grad);
    for (let k = 0; k < grad.length; k++) grad[k] /= this.batch.length;
    this.adam.ascend(this.controller.params, grad);
    this.batch = [];
    this.updates++;
  }

  ask(): Ask {
    const space = this.ctx.space;
    while (this.queue.length) {
      const choices = this.queue.shift()!;
      const key = space.key(space.decode(choices));
      if (this.seen.has(key) || this.pending.has(key)) continue;
      return this.propose(choices, key, 'warm-start');
    }
    if (Number.isFinite(space.size()) && this.seen.size + this.pending.size >= space.size()) {
      return this.pending.size ? { wait: true } : { done: true };
    }
    let last: number[] = [];
    for (let t = 0; t < this.retries; t++) {
      const choices = this.controller.sample(this.rng);
      const key = space.key(space.decode(choices));
      last = choices;
      if (this.pending.has(key)) continue;
      if (this.seen.has(key)) {
        this.learn(choices, this.seen.get(key)!);
        continue;
      }
      return this.propose(choices, key, 'policy');
    }
    // the policy keeps returning known architectures: explore by mutating the last one (off-policy:
    // its result informs the statistics but not the gradient)
    let arch = space.decode(last);
    for (let t = 0; t < this.retries; t++) {
      arch = space.mutate(arch, this.rng);
      const key = space.key(arch);
      if (!this.seen.has(key) && !this.pending.has(key)) return this.propose(space.choicesOf(arch), key, 'explore');
    }
    return this.propose(last, space.key(space.decode(last)), 'policy');
  }

  private propose(choices: number[], key: string, source: string): Ask {
    this.pending.add(key, choices, source);
    const info: JsonObject = { source };
    return { arch: this.ctx.space.decode(choices), info };
  }

  tell(trial: TrialRecord): void {
    const space = this.ctx.space;
    const p = this.pending.take(trial.key);
    const choices = toldChoices(space, p, trial.arch);
    let score = trialScore(this.ctx.objective, trial);
    if (this.seen.has(trial.key)) score = this.seen.get(trial.key) ?? score;
    else {
      this.seen.set(trial.key, score);
      if (score !== null) this.stats.push(score);
    }
    if (p && p.tag === 'policy') this.learn(choices, score);
  }

  /** The controller's choice probabilities along an architecture (for inspection and tests). */
  probabilities(choices: readonly number[]): number[][] {
    return this.controller.probabilities(choices);
  }

  snapshot(): Json {
    return {
      type: TYPE,
      version: VERSION,
      rng: this.rng.state(),
      params: Array.from(this.controller.params),
      adam: { m: Array.from(this.adam.m), v: Array.from(this.adam.v), t: this.adam.t },
      baseline: this.baseline,
      stats: this.stats.toJson(),
      seen: [...this.seen.entries()],
      pending: this.pending.toJson(),
      batch: this.batch.map((b) => [b.choices, b.adv]),
      queue: this.queue,
      samples: this.samples,
      updates: this.updates,
    } as Json;
  }

  restore(state: Json): void {
    const s = checkSnapshot(state, TYPE, VERSION);
    const params = s.params as number[];
    if (params.length !== this.controller.params.length) throw new Error('reinforce: snapshot of another controller');
    this.rng = Rng.fromState(s.rng as [number, number, number, number]);
    this.controller.params.set(params);
    const adam = s.adam as { m: number[]; v: number[]; t: number };
    this.adam.m.set(adam.m);
    this.adam.v.set(adam.v);
    this.adam.t = adam.t;
    this.baseline = s.baseline as number | null;
    this.stats = RunningStats.fromJson(s.stats);
    this.seen = new Map(s.seen as [string, number | null][]);
    this.pending = PendingSet.fromJson(s.pending);
    this.batch = (s.batch as [number[], number][]).map(([choices, adv]) => ({ choices: [...choices], adv }));
    this.queue = (s.queue as number[][]).map((c) => [...c]);
    this.samples = s.samples as number;
    this.updates = s.updates as number;
  }
}

export const reinforce: StrategyDefinition<ReinforceOptions> = {
  type: TYPE,
  description:
    'REINFORCE policy gradient: a controller (independent logits per decision, or an LSTM) samples architectures; ' +
    'moving-average baseline, entropy bonus, Adam',
  optionsSchema: {
    type: 'object',
    properties: {
      controller: {
        type: 'string',
        enum: ['logits', 'lstm'],
        default: 'logits',
        description: 'independent categorical logits per decision, or an LSTM over the decision sequence',
      },
      learning_rate: {
        type: 'number',
        exclusiveMinimum: 0,
        description: 'Adam step size (default 0.2 logits, 0.02 lstm)',
      },
      batch: { type: 'integer', minimum: 1, default: 4, description: 'samples per update' },
      baseline_decay: {
        type: 'number',
        minimum: 0,
        maximum: 1,
        default: 0.9,
        description: 'moving-average baseline decay',
      },
      entropy: { type: 'number', minimum: 0, default: 0.01, description: 'entropy bonus coefficient' },
      // weights grow with the square of these: bounded far below what exhausts memory
      hidden: { type: 'integer', minimum: 1, maximum: 1024, default: 32, description: 'LSTM hidden size' },
      embedding: { type: 'integer', minimum: 1, maximum: 1024, default: 16, description: 'LSTM choice-embedding size' },
      retries: {
        type: 'integer',
        minimum: 1,
        default: 100,
        description: 'samples per ask to find an unevaluated architecture',
      },
    },
    additionalProperties: false,
  },
  create: (options, ctx) => new ReinforceStrategy(options ?? {}, ctx),
};
