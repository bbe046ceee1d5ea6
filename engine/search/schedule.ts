// Scheduling policy of the ask/tell loop: when it may ask for the next trial, when a finished trial is
// told to the strategy, and from which trials a pruning decision is taken.
//
// - `eager` (the behaviour before schema 3): ask whenever fewer than `parallel` trials run, tell each
//   result as it arrives, prune against whatever finished first. Fastest, but with parallel > 1 the
//   proposals and pruning decisions depend on which trial happens to finish first.
// - `reproducible` (the default): results are told in trial-number order, and trial k is asked for only
//   once trials 1..k-parallel have been told. A result that arrives early is held in memory and written
//   to the store when it is told (in the same transaction as the strategy checkpoint, as in eager), so
//   the store only ever holds a prefix 1..told of final trials and resume replays the same sequence of
//   asks and tells. Pruning decisions for trial n are taken against trials 1..n-parallel only: those
//   were told before n was asked, so n is judged at every step as it runs, and the decision is a
//   function of the curves alone, never of timing. (Should they not all be told, after a resume with a
//   smaller parallel, n is judged when it is told, its curve cut where it would have stopped.)

import type { CurvePoint, TrialRecord } from '../core/types.js';
import type { Pruner } from '../core/pruner.js';

export type ScheduleMode = 'reproducible' | 'eager';

/** The schedule of a workflow; runs stored before `schedule` existed (no field) were eager. */
export function scheduleOf(wf: { schedule?: ScheduleMode }): ScheduleMode {
  return wf.schedule ?? 'eager';
}

/** Trial numbers told so far (a prefix 1..told) and the results that arrived ahead of their turn. */
export class TellOrder<R> {
  private told = 0;
  private readonly final = new Set<number>();
  private readonly held = new Map<number, R>();

  /** A trial that was already final in the store (resume): counts as told. */
  markFinal(number: number): void {
    this.final.add(number);
    this.advance();
  }

  /** Whether trials 1..number are all told. */
  toldThrough(number: number): boolean {
    return this.told >= number;
  }

  /** Trials numbered below `nextNumber` that are not told yet (running or held). */
  untold(nextNumber: number): number {
    return nextNumber - 1 - this.told;
  }

  hold(number: number, result: R): void {
    this.held.set(number, result);
  }

  /** The next result in number order, when it has arrived (it then counts as told). */
  next(): { number: number; result: R } | undefined {
    const number = this.told + 1;
    const result = this.held.get(number);
    if (result === undefined) return undefined;
    this.held.delete(number);
    this.told = number;
    this.advance();
    return { number, result };
  }

  private advance(): void {
    while (this.final.has(this.told + 1)) this.final.delete(++this.told);
  }
}

/**
 * Pruning decisions taken from trials with smaller numbers only: a fresh pruner observes the told trials
 * numbered up to `through` (in number order) and is then shown the trial's curve step by step. The loop
 * passes through = n - parallel: those trials were all told before trial n was asked, so the decision
 * can be taken at every step while n runs, never waiting for its neighbours in flight. The cost is
 * O(told trials) per decision, small next to a training epoch.
 */
export class OrderedPruning {
  private readonly history: TrialRecord[] = [];

  constructor(private readonly newPruner: () => Pruner) {}

  /** A final trial, in number order (supernet trials are not pruning evidence and are left out by the caller). */
  observe(trial: TrialRecord): void {
    this.history.push(trial);
  }

  /** The first step of `curve` at which trial `number` is stopped (judged against trials 1..through), or null. */
  pruneStep(number: number, curve: readonly CurvePoint[], through = number - 1): number | null {
    const p = this.newPruner();
    for (const t of this.history) if (t.number <= through) p.observe(t);
    for (const point of curve) if (p.shouldPrune(number, point.step, point.metrics)) return point.step;
    return null;
  }
}

/** The curve up to and including `step`, and the metrics reported there (what a pruned trial keeps). */
export function cutAt(
  curve: readonly CurvePoint[],
  step: number,
): { curve: CurvePoint[]; metrics: CurvePoint['metrics'] } {
  const kept = curve.filter((p) => p.step <= step);
  return { curve: kept, metrics: kept[kept.length - 1]?.metrics ?? {} };
}
