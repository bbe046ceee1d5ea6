// Regression labels: the task a label column implies when the workflow does not say, the numeric
// targets, and the quantile strata that let the stratified split and `limit` keep the target's
// distribution alike in every part (the class machinery then works unchanged).

import { FatalError } from '../../core/errors.js';
import type { TaskKind } from '../../core/task.js';

/** More distinct integer labels than this make a numeric column a regression target. */
export const MAX_INFERRED_CLASSES = 20;
/** Quantile bins of a regression target used as strata (fewer when there are few samples). */
const STRATA = 5;

/**
 * Regression when every label is a number and either one is not an integer or there are more than
 * MAX_INFERRED_CLASSES distinct values; classification otherwise (set dataset.task to override).
 */
export function inferTask(labels: readonly (string | number)[]): TaskKind {
  const distinct = new Set(labels.map((l) => String(l).trim()));
  let integers = true;
  for (const s of distinct) {
    const v = s === '' ? NaN : Number(s);
    if (!Number.isFinite(v)) return 'classification';
    if (!Number.isInteger(v)) integers = false;
  }
  return !integers || distinct.size > MAX_INFERRED_CLASSES ? 'regression' : 'classification';
}

export interface Targets {
  targets: Float32Array;
  /** Stratum (quantile bin) of each sample. */
  strata: Int32Array;
  strataNames: string[];
}

/** Numeric targets and their quantile strata; a label that is not a number is a one-line error naming the sample. */
export function regressionTargets(labels: readonly (string | number)[], where: string): Targets {
  const n = labels.length;
  if (n < 4) throw new FatalError(`${where}: ${n} samples; a regression split needs at least 4`);
  const targets = new Float32Array(n);
  labels.forEach((l, i) => {
    const v = typeof l === 'number' ? l : String(l).trim() === '' ? NaN : Number(l);
    if (!Number.isFinite(v)) {
      throw new FatalError(
        `${where}: sample ${i + 1} has the label ${JSON.stringify(l)}, not a number; a regression target must be numeric (or set dataset.task: classification)`,
      );
    }
    targets[i] = v;
  });
  // ranks, ties broken by position so the bins have equal sizes
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => targets[a] - targets[b] || a - b);
  const bins = Math.max(2, Math.min(STRATA, Math.floor(n / 4)));
  const strata = new Int32Array(n);
  order.forEach((i, rank) => (strata[i] = Math.floor((rank * bins) / n)));
  return { targets, strata, strataNames: Array.from({ length: bins }, (_, k) => `q${k + 1}`) };
}
