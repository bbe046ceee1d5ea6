// Grid search: every architecture of a finite space in enumeration order, or in a seeded shuffled
// order; done at the end.

import type { Arch, Json } from '../engine/core/types.js';
import { Rng, deriveSeed } from '../engine/core/rng.js';
import type { Ask, Strategy, StrategyContext, StrategyDefinition } from '../engine/core/strategy.js';
import { checkSnapshot } from './lib/common.js';

const TYPE = 'grid';
const VERSION = 1;
// Shuffling holds the whole grid in memory.
const SHUFFLE_LIMIT = 1_000_000;

export interface GridOptions {
  shuffle?: boolean;
}

class GridSearch implements Strategy {
  private pos = 0;
  private readonly total: number;
  private order: Arch[] | null = null; // shuffled grid, built lazily
  private iter: Iterator<Arch> | null = null; // enumeration, at `pos`

  constructor(
    private readonly shuffle: boolean,
    private readonly ctx: StrategyContext,
  ) {
    this.total = ctx.space.size();
    if (!Number.isFinite(this.total)) throw new Error('grid search needs a finite space');
    if (shuffle && this.total > SHUFFLE_LIMIT)
      throw new Error(
        `grid shuffle supports spaces of at most ${SHUFFLE_LIMIT} architectures (this one has ${this.total}); use random instead`,
      );
  }

  ask(): Ask {
    if (this.pos >= this.total) return { done: true };
    const arch = this.shuffle ? this.shuffled()[this.pos] : this.nextInOrder();
    this.pos++;
    return { arch };
  }

  private shuffled(): Arch[] {
    // derived from the seed alone, so a restore rebuilds the same order
    this.order ??= new Rng(deriveSeed(this.ctx.seed, TYPE)).shuffle([...this.ctx.space.enumerate()]);
    return this.order;
  }

  private nextInOrder(): Arch {
    if (!this.iter) {
      this.iter = this.ctx.space.enumerate()[Symbol.iterator]();
      for (let i = 0; i < this.pos; i++) this.iter.next();
    }
    const r = this.iter.next();
    if (r.done) throw new Error('grid: space enumerated fewer architectures than its size');
    return r.value;
  }

  tell(): void {
    // the order does not depend on results
  }

  snapshot(): Json {
    return { type: TYPE, version: VERSION, pos: this.pos, shuffle: this.shuffle };
  }

  restore(state: Json): void {
    const s = checkSnapshot(state, TYPE, VERSION);
    if (s.shuffle !== this.shuffle) throw new Error('grid snapshot was taken with a different shuffle option');
    this.pos = Number(s.pos);
    this.iter = null;
  }
}

export const grid: StrategyDefinition<GridOptions> = {
  type: TYPE,
  description:
    'Every architecture of a finite space, in enumeration order or shuffled with the seed; ends at the end of the grid.',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      shuffle: {
        type: 'boolean',
        default: false,
        description: 'Visit the grid in a random order derived from the seed.',
      },
    },
  },
  create: (options, ctx) => new GridSearch(options.shuffle ?? false, ctx),
};
