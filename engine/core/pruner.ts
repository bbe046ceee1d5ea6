// The contract of an early-stopping rule: it sees every reported step of every trial and may stop one.

import type { Metrics, TrialRecord } from './types.js';

export interface Pruner {
  shouldPrune(trial: number, step: number, metrics: Metrics): boolean;
  /** Called with every final trial, including those of earlier sessions on resume. */
  observe(trial: TrialRecord): void;
}

/** Defaults of `early_stopping` (the schema shows them; pruners built without it use the same). */
export const PRUNER_DEFAULTS = { min_epochs: 1, min_trials: 5, eta: 3 } as const;
