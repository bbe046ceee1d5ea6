// Predictor screening (meta-learning's `learn: evaluation`): a strategy wrapper that asks the inner
// strategy for candidates and lets through only those a learned predictor places in the top
// `fraction` of the space (the threshold is the (1 - fraction) quantile of the predictions on a seeded
// sample of the space). A screened-out candidate is told back to the inner strategy as a failed trial
// (number 0, never stored), so every strategy's bookkeeping stays consistent; the engine and the
// budget never see it. After `maxRejects` rejections in a row the next candidate passes regardless.

import { Rng, deriveSeed } from '../../engine/core/rng.js';
import type { SearchSpace } from '../../engine/core/space.js';
import type { Arch, Json, TrialRecord } from '../../engine/core/types.js';
import type { Ask, Strategy } from '../../engine/core/strategy.js';
import { failedRecord } from '../../engine/core/trial.js';
import { unwrapSnapshot, wrapSnapshot } from './snapshot.js';

export interface ScreenOptions {
  fraction: number;
  /** Architectures sampled to place the threshold (default 1000). */
  sample?: number;
  maxRejects?: number;
  seed: number;
}

export class ScreenedStrategy implements Strategy {
  readonly threshold: number;
  private screened = 0;
  private passed = 0;
  private readonly maxRejects: number;

  constructor(
    private readonly inner: Strategy,
    private readonly space: SearchSpace,
    private readonly score: (arch: Arch) => number,
    private readonly o: ScreenOptions,
  ) {
    this.maxRejects = o.maxRejects ?? 200;
    const rng = new Rng(deriveSeed(o.seed, 'screen'));
    const preds: number[] = [];
    for (let i = 0; i < (o.sample ?? 1000); i++) preds.push(score(space.sample(rng)));
    preds.sort((a, b) => a - b);
    const f = Math.min(1, Math.max(0, o.fraction));
    this.threshold = f >= 1 ? -Infinity : preds[Math.min(preds.length - 1, Math.floor((1 - f) * preds.length))];
  }

  ask(): Ask {
    for (let rejects = 0; ; rejects++) {
      const a = this.inner.ask();
      if (!('arch' in a)) return a;
      const p = this.score(a.arch);
      if (p >= this.threshold || rejects >= this.maxRejects) {
        this.passed++;
        return { arch: a.arch, info: { ...(a.info ?? {}), predicted: round(p) } };
      }
      this.screened++;
      this.inner.tell(this.rejected(a.arch, p));
    }
  }

  private rejected(arch: Arch, p: number): TrialRecord {
    const why = `screened out: predicted ${round(p)} below the top-${this.o.fraction} threshold ${round(this.threshold)}`;
    return failedRecord(this.space.key(arch), arch, why, { screened: true });
  }

  tell(trial: TrialRecord): void {
    this.inner.tell(trial);
  }

  /** How many candidates were screened out and let through (this session and restored ones). */
  counts(): { screened: number; passed: number } {
    return { screened: this.screened, passed: this.passed };
  }

  snapshot(): Json {
    return wrapSnapshot('screened', { rejected: this.screened, passed: this.passed }, this.inner.snapshot());
  }

  restore(snapshot: Json): void {
    const { state, inner } = unwrapSnapshot(snapshot, 'screened');
    this.inner.restore(inner);
    this.screened = Number(state.rejected ?? 0);
    this.passed = Number(state.passed ?? 0);
  }
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
