// A stage that starts `from` an earlier one: the earlier stage's best architectures are proposed first
// (each once, with its origin in the trial's info), then the stage's own strategy takes over. The
// strategy also gets them as its warm start, so an evolution builds on them (the engine's dedup tells
// it the seeds' results when it proposes them again).

import type { Arch, Json, JsonObject, TrialRecord } from '../../engine/core/types.js';
import type { Ask, Strategy } from '../../engine/core/strategy.js';
import { unwrapSnapshot, wrapSnapshot } from './snapshot.js';

export interface Seed {
  arch: Arch;
  key: string;
  /** Where it came from: the earlier stage, its trial number there, and its metrics there. */
  from: { stage: string; trial: number; key: string; metrics: JsonObject };
}

export class SeededStrategy implements Strategy {
  private next = 0;

  constructor(
    private readonly inner: Strategy,
    private readonly seeds: Seed[],
  ) {}

  ask(): Ask {
    if (this.next < this.seeds.length) {
      const s = this.seeds[this.next++];
      return { arch: s.arch, info: { origin: 'from', from: s.from as unknown as JsonObject } };
    }
    return this.inner.ask();
  }

  tell(trial: TrialRecord): void {
    this.inner.tell(trial);
  }

  snapshot(): Json {
    return wrapSnapshot('seeded', { next: this.next, seeds: this.seeds.map((s) => s.key) }, this.inner.snapshot());
  }

  restore(snapshot: Json): void {
    const { state, inner } = unwrapSnapshot(snapshot, 'seeded');
    if (typeof state.next !== 'number') throw new Error('seeded snapshot without its position');
    this.next = state.next;
    this.inner.restore(inner);
  }
}
