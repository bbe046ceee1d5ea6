// Early-stopping rules (pruners) for the engine loop: a trial reports its objective per step (epoch);
// the pruner says whether to stop it. Scores are objectiveScore() values, so larger is always better
// whatever the objective's mode.
//
// - Median stopping rule (Golovin et al. 2017, as in Optuna's MedianPruner): from step min_epochs on,
//   once at least min_trials complete trials reported step s, a trial whose best score so far is
//   worse than the median of those trials' scores at step s is stopped.
// - Asynchronous successive halving (ASHA, Li et al. 2020; Optuna's SuccessiveHalvingPruner): rungs
//   at steps min_epochs * eta^k. A trial reaching a rung records its score there and continues only
//   if that score is among the top floor(n / eta) of the n scores recorded at the rung (itself
//   included); while n < eta, only a trial at least as good as every other one recorded continues.

import type { Metrics, Objective, TrialRecord } from '../core/types.js';
import { objectiveScore } from '../core/types.js';
import { PRUNER_DEFAULTS, type Pruner } from '../core/pruner.js';

export interface MedianOptions {
  minEpochs?: number;
  minTrials?: number;
}

export class MedianPruner implements Pruner {
  private readonly minEpochs: number;
  private readonly minTrials: number;
  /** step -> scores of complete trials at that step */
  private readonly byStep = new Map<number, number[]>();
  private readonly bestSoFar = new Map<number, number>();

  constructor(
    private readonly objective: Objective,
    options: MedianOptions = {},
  ) {
    this.minEpochs = options.minEpochs ?? PRUNER_DEFAULTS.min_epochs;
    this.minTrials = options.minTrials ?? PRUNER_DEFAULTS.min_trials;
  }

  shouldPrune(trial: number, step: number, metrics: Metrics): boolean {
    const score = objectiveScore(this.objective, metrics);
    if (score === null) return false;
    const best = Math.max(score, this.bestSoFar.get(trial) ?? -Infinity);
    this.bestSoFar.set(trial, best);
    if (step < this.minEpochs) return false;
    const others = this.byStep.get(step);
    if (!others || others.length < this.minTrials) return false;
    return best < median(others);
  }

  observe(trial: TrialRecord): void {
    this.bestSoFar.delete(trial.number);
    if (trial.state !== 'complete') return;
    for (const p of trial.curve ?? []) {
      const s = objectiveScore(this.objective, p.metrics);
      if (s === null) continue;
      const list = this.byStep.get(p.step) ?? [];
      list.push(s);
      this.byStep.set(p.step, list);
    }
  }
}

export interface AshaOptions {
  minEpochs?: number;
  eta?: number;
}

export class AshaPruner implements Pruner {
  private readonly minEpochs: number;
  private readonly eta: number;
  /** rung index -> trial -> score recorded there */
  private readonly rungs = new Map<number, Map<number, number>>();

  constructor(
    private readonly objective: Objective,
    options: AshaOptions = {},
  ) {
    this.minEpochs = options.minEpochs ?? PRUNER_DEFAULTS.min_epochs;
    this.eta = options.eta ?? PRUNER_DEFAULTS.eta;
    if (!(this.eta > 1)) throw new RangeError(`asha: eta must be > 1, got ${this.eta}`);
    if (!(this.minEpochs >= 1)) throw new RangeError(`asha: min_epochs must be >= 1, got ${this.minEpochs}`);
  }

  /** The step of rung k. */
  rungStep(k: number): number {
    return Math.round(this.minEpochs * this.eta ** k);
  }

  /** The rung whose step this is, or -1. */
  private rungAt(step: number): number {
    for (let k = 0; ; k++) {
      const s = this.rungStep(k);
      if (s === step) return k;
      if (s > step) return -1;
    }
  }

  shouldPrune(trial: number, step: number, metrics: Metrics): boolean {
    const score = objectiveScore(this.objective, metrics);
    if (score === null) return false;
    const k = this.rungAt(step);
    if (k < 0) return false;
    const rung = this.rungs.get(k) ?? new Map<number, number>();
    this.rungs.set(k, rung);
    if (!rung.has(trial)) rung.set(trial, score);
    return !this.promotable(rung.get(trial)!, [...rung.values()]);
  }

  private promotable(score: number, competing: number[]): boolean {
    const sorted = [...competing].sort((a, b) => b - a); // best first
    const top = Math.max(1, Math.floor(sorted.length / this.eta));
    return score >= sorted[top - 1];
  }

  observe(trial: TrialRecord): void {
    // Replays the curves of earlier sessions' trials (resume) into the rungs; live trials are there already.
    if (trial.state === 'failed') return;
    for (const p of trial.curve ?? []) {
      const k = this.rungAt(p.step);
      const s = objectiveScore(this.objective, p.metrics);
      if (k < 0 || s === null) continue;
      const rung = this.rungs.get(k) ?? new Map<number, number>();
      this.rungs.set(k, rung);
      if (!rung.has(trial.number)) rung.set(trial.number, s);
    }
  }
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The pruner an evaluation's `early_stopping` options ask for, or undefined. */
export function makePruner(
  objective: Objective,
  earlyStopping: { rule?: string; min_epochs?: number; min_trials?: number; eta?: number } | undefined,
): Pruner | undefined {
  const es = earlyStopping;
  if (!es || !es.rule || es.rule === 'none') return undefined;
  if (es.rule === 'median')
    return new MedianPruner(objective, {
      minEpochs: es.min_epochs ?? PRUNER_DEFAULTS.min_epochs,
      minTrials: es.min_trials ?? PRUNER_DEFAULTS.min_trials,
    });
  if (es.rule === 'asha')
    return new AshaPruner(objective, {
      minEpochs: es.min_epochs ?? PRUNER_DEFAULTS.min_epochs,
      eta: es.eta ?? PRUNER_DEFAULTS.eta,
    });
  throw new RangeError(`unknown early_stopping rule "${es.rule}" (none, median, asha)`);
}
