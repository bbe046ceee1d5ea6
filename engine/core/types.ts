// Types shared by every layer. Everything that crosses a thread, a file or the store is plain JSON.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** A space-specific, JSON-serializable architecture (see engine/space). */
export type Arch = Json;

/** Named numeric results of one evaluation (accuracy, loss, params, flops, ...). */
export type Metrics = Record<string, number>;

export type TrialState = 'running' | 'complete' | 'pruned' | 'failed';

export interface Objective {
  metric: string;
  mode: 'max' | 'min';
}

/** One learning-curve point: step is an epoch (or a fidelity step), metrics what was measured then. */
export interface CurvePoint {
  step: number;
  metrics: Metrics;
}

/** One evaluated (or evaluating) candidate. Immutable once its state is final. */
export interface TrialRecord {
  number: number; // 1-based, dense within a run (and stage)
  key: string; // the space's canonical key
  arch: Arch;
  state: TrialState;
  metrics: Metrics; // empty unless complete or pruned
  seed: number; // derived from the run seed and the trial number
  error?: string; // why it failed
  curve?: CurvePoint[];
  attempts: number; // 1 + retries used
  startedAt: number; // ms since epoch
  finishedAt?: number;
  /** Free-form facts about how it was evaluated (backend, fidelity, duplicate-of, lineage). */
  info?: JsonObject;
}

/** Turns metrics into one number where larger is better; null when the metric is missing. */
export function objectiveScore(objective: Objective, metrics: Metrics | undefined): number | null {
  const v = metrics?.[objective.metric];
  if (typeof v !== 'number' || Number.isNaN(v)) return null;
  return objective.mode === 'max' ? v : -v;
}

/**
 * Why a search (a run, or one stage of it) ended, as data: code decides from this, never from the
 * human-readable reason. A stage ended by 'trial-budget' or 'stage-time' re-opens when that budget grows.
 */
export type StopCause =
  | 'trial-budget'
  | 'time-budget'
  | 'stage-time'
  | 'strategy-done'
  | 'duplicates'
  | 'failure-budget'
  | 'interrupted'
  | 'fatal';
