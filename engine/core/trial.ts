// Helpers over trial records that the engine, the strategies and the reports share, so that what a
// score is, what a non-trial failure looks like and what counts as a candidate has one definition.

import { objectiveScore, type Arch, type JsonObject, type Objective, type TrialRecord } from './types.js';

/** The score (larger is better) of a complete or pruned trial; null for failed trials or a missing metric. */
export function trialScore(objective: Objective, trial: TrialRecord): number | null {
  return trial.state === 'failed' ? null : objectiveScore(objective, trial.metrics);
}

/**
 * The record a strategy is told for a proposal that never became a trial (number 0): refused by the
 * constraints, or screened out by a predictor. It uses no budget and is not in the trials table.
 */
export function failedRecord(key: string, arch: Arch, error: string, info: JsonObject, at = 0): TrialRecord {
  return {
    number: 0,
    key,
    arch,
    state: 'failed',
    metrics: {},
    seed: 0,
    error,
    attempts: 0,
    startedAt: at,
    ...(at ? { finishedAt: at } : {}),
    info,
  };
}

/** The trial key the engine gives a supernet proposal. */
export function supernetKey(id: string): string {
  return `supernet:${id}`;
}

/** Whether a trial is a one-shot strategy's supernet search rather than a candidate. */
export function isSupernetTrial(t: Pick<TrialRecord, 'info'>): boolean {
  return t.info?.job === 'supernet';
}
