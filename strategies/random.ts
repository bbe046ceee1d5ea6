// Random search: uniform samples (or samples from meta-learned priors), never proposing the same
// architecture twice; done once a finite space is exhausted.

import type { Json, JsonObject } from '../engine/core/types.js';
import { Rng } from '../engine/core/rng.js';
import type { Ask, Strategy, StrategyContext, StrategyDefinition } from '../engine/core/strategy.js';
import { SeenKeys, checkSnapshot, rngStateOf, sampleFresh } from './lib/common.js';

const TYPE = 'random';
const VERSION = 2;

class RandomSearch implements Strategy {
  private rng: Rng;
  private seen: SeenKeys;

  constructor(private readonly ctx: StrategyContext) {
    this.rng = new Rng(ctx.seed);
    this.seen = new SeenKeys(ctx.space);
  }

  ask(): Ask {
    const arch = sampleFresh(this.ctx.space, this.rng, this.seen.set, this.ctx.warmStart?.priors);
    if (arch === null) return { done: true };
    this.seen.add(arch);
    return { arch };
  }

  tell(): void {
    // samples do not depend on results
  }

  snapshot(): Json {
    return { type: TYPE, version: VERSION, rng: this.rng.state(), seen: this.seen.snapshot() };
  }

  restore(state: Json): void {
    const s = checkSnapshot(state, TYPE, VERSION);
    this.rng = Rng.fromState(rngStateOf(s.rng));
    this.seen = SeenKeys.restore(this.ctx.space, s.seen);
  }
}

export const random: StrategyDefinition<JsonObject> = {
  type: TYPE,
  description:
    'Uniform random sampling without repeats (or sampling from warm-start priors); ends when a finite space is exhausted.',
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  create: (_options, ctx) => new RandomSearch(ctx),
};
