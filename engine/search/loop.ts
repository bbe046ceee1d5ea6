// The ask/tell loop. It owns concurrency, the budget, dedup, retries, checkpoints and stopping;
// strategies and evaluators stay unaware of all of it.
//
// Crash safety: a proposal is inserted as a `running` trial in the same transaction as the strategy
// checkpoint taken right after ask(); a result is written in the same transaction as the checkpoint
// taken right after tell(). After a kill -9 the store therefore holds exactly the proposals the
// checkpointed strategy has made, and resume re-evaluates the ones still `running`.

import { deriveSeed } from '../core/rng.js';
import { FatalError, TrialError, errorMessage } from '../core/errors.js';
import type { Arch, CurvePoint, Json, JsonObject, Metrics, StopCause, TrialRecord } from '../core/types.js';
import { objectiveScore } from '../core/types.js';
import type { Store } from '../store/store.js';
import type { SearchSpace } from '../core/space.js';
import type { Strategy, SupernetAsk } from '../core/strategy.js';
import { failedRecord, isSupernetTrial, supernetKey } from '../core/trial.js';
import type { Evaluator } from '../core/evaluator.js';
import type { Pruner } from '../core/pruner.js';
import type { BudgetConfig, WorkflowConfig } from '../core/workflow.js';
import { cutAt, OrderedPruning, scheduleOf, TellOrder } from './schedule.js';
import { atDeadline, yieldToEventLoop } from './deadline.js';

/** How often the search time is written to the store while trials run (what a kill -9 can lose). */
const ELAPSED_FLUSH_MS = 1000;

export type SearchEvent =
  | { type: 'trial-started'; trial: TrialRecord }
  | { type: 'trial-progress'; number: number; step: number; metrics: Metrics }
  | { type: 'trial-retry'; number: number; attempt: number; error: string }
  | { type: 'trial-finished'; trial: TrialRecord; best?: TrialRecord; finished: number }
  | { type: 'trial-rejected'; key: string; reason: string }
  | { type: 'stage-started'; stage: string; position: number; stages: number; metric: string; budgetTrials?: number };

export interface SearchOutcome {
  status: 'complete' | 'stopped' | 'failed';
  /** Why it ended, for code to decide on; `reason` says it to people. */
  cause: StopCause;
  reason: string;
  best?: TrialRecord;
}

/** Decides after each reported step whether a trial should stop early (early-stopping rules). */
export interface SearchSetup {
  store: Store;
  runId: number;
  stage?: string;
  workflow: WorkflowConfig;
  budget?: BudgetConfig; // defaults to workflow.budget (a stage may override it)
  space: SearchSpace;
  strategy: Strategy;
  evaluator: Evaluator;
  pruner?: Pruner;
  /** Fresh pruners for `schedule: reproducible`, which judges each trial against smaller numbers only (schedule.ts). */
  newPruner?: () => Pruner;
  signal?: AbortSignal;
  onEvent?: (e: SearchEvent) => void;
  /** Consecutive proposals of already-evaluated keys after which the search counts as exhausted. */
  maxConsecutiveDuplicates?: number;
  /**
   * Measures a candidate before it is evaluated (params, flops, latency of the built model); the
   * results join the trial's metrics where the evaluator does not report them. Synchronous, so a
   * proposal and its trial stay in one transaction. A throw lets the candidate through unmeasured.
   */
  measure?: (arch: Arch, key: string) => Metrics;
  /** Hard limits on measured metrics: a candidate outside them is rejected before evaluation
   *  (recorded in the store, told to the strategy as failed, not counted as a trial). */
  constraints?: Record<string, { min?: number; max?: number }>;
}

/** Why `measured` breaks `constraints` (empty when it does not). */
export function constraintViolations(
  constraints: Record<string, { min?: number; max?: number }> | undefined,
  measured: Metrics,
): string[] {
  const out: string[] = [];
  for (const [metric, c] of Object.entries(constraints ?? {})) {
    const v = measured[metric];
    if (typeof v !== 'number') continue;
    if (c.max !== undefined && v > c.max) out.push(`${metric} ${v} > max ${c.max}`);
    if (c.min !== undefined && v < c.min) out.push(`${metric} ${v} < min ${c.min}`);
  }
  return out;
}

interface EngineCheckpoint {
  strategy: Json;
  /** Proposals of a key whose trial was still running: told when it finishes. */
  waiting: Record<string, number>;
}

type Attempt =
  | { kind: 'done'; metrics: Metrics; curve: CurvePoint[]; info?: JsonObject }
  | { kind: 'pruned'; metrics: Metrics; curve: CurvePoint[]; info?: JsonObject }
  | { kind: 'failed'; error: string; curve: CurvePoint[]; info?: JsonObject }
  | { kind: 'interrupted' };

export async function runSearch(s: SearchSetup): Promise<SearchOutcome> {
  return new SearchLoop(s).run();
}

class SearchLoop {
  private readonly stage: string;
  private readonly budget: BudgetConfig;
  private readonly byKey = new Map<string, TrialRecord>();
  /** Candidates rejected by the constraints: told again (as failed) when proposed again. */
  private readonly rejected = new Map<string, TrialRecord>();
  private readonly inflight = new Map<number, Promise<void>>();
  private readonly controllers = new Map<number, AbortController>();
  private waiting: Record<string, number> = {};
  /** Strategy state changed (duplicate proposals) since the last checkpoint. */
  private unsaved = false;
  private nextNumber = 1;
  private total = 0; // trials in the store, running included
  private finalCount = 0;
  private failures = 0;
  private best: TrialRecord | undefined;
  private stopReason: { status: SearchOutcome['status']; cause: StopCause; reason: string } | undefined;
  private fatal: Error | undefined;
  private lastMark = Date.now();
  /** `schedule: reproducible`: results told in number order (see schedule.ts); undefined when eager. */
  private readonly order: TellOrder<{ trial: TrialRecord; attempt: Attempt }> | undefined;
  private readonly pruning: OrderedPruning | undefined;

  constructor(private readonly s: SearchSetup) {
    this.stage = s.stage ?? '';
    this.budget = s.budget ?? s.workflow.budget;
    if (scheduleOf(s.workflow) === 'reproducible') {
      this.order = new TellOrder();
      if (s.newPruner) this.pruning = new OrderedPruning(s.newPruner);
    }
  }

  async run(): Promise<SearchOutcome> {
    const onAbort = () => this.stop('stopped', 'interrupted', 'interrupted');
    this.s.signal?.addEventListener('abort', onAbort);
    let cancelDeadline: (() => void) | undefined;
    // search time reaches the store every second even while no trial finishes, so a kill -9 loses at most that
    const clock = setInterval(() => this.markElapsed(), ELAPSED_FLUSH_MS);
    try {
      const resumed = this.restore();
      const deadline = this.deadline();
      if (deadline !== undefined)
        cancelDeadline = atDeadline(deadline.at, () => this.stop('complete', deadline.cause, deadline.reason));
      if (this.s.signal?.aborted) this.stop('stopped', 'interrupted', 'interrupted');
      for (const t of resumed) this.dispatch(t);
      await this.loop();
    } catch (e) {
      this.fatal ??= e as Error;
    } finally {
      cancelDeadline?.();
      clearInterval(clock);
      this.s.signal?.removeEventListener('abort', onAbort);
      for (const c of this.controllers.values()) c.abort();
      await Promise.allSettled([...this.inflight.values()]);
      // A run that ends (strategy exhausted, failure or time budget) keeps the results that arrived, in
      // order; an interrupted one leaves them to be re-run, so resume continues the same asks and tells.
      if (!this.fatal && this.stopReason?.status !== 'stopped') while (this.tellNext());
      this.markElapsed();
      if (this.unsaved && !this.fatal) this.checkpoint();
    }
    // a FatalError is an expected way to fail (one line for the user); anything else is a bug
    // (a TypeError in a strategy, say) and goes up with its stack to the CLI's internal-error path
    if (this.fatal && !(this.fatal instanceof FatalError)) throw this.fatal;
    if (this.fatal) return { status: 'failed', cause: 'fatal', reason: errorMessage(this.fatal), best: this.best };
    const end = this.stopReason ?? { status: 'complete' as const, cause: 'strategy-done' as const, reason: 'done' };
    return { ...end, best: this.best };
  }

  /** Loads earlier trials and the checkpoint; returns the trials to evaluate again (interrupted). */
  private restore(): TrialRecord[] {
    const { store, runId, strategy } = this.s;
    const trials = store.trials(runId, this.stage);
    const rerun: TrialRecord[] = [];
    for (const t of trials) {
      this.byKey.set(t.key, t);
      this.nextNumber = Math.max(this.nextNumber, t.number + 1);
      this.total++;
      if (t.state === 'running') rerun.push(t);
      else {
        this.order?.markFinal(t.number);
        this.noteFinal(t);
      }
    }
    if (this.s.constraints)
      for (const r of store.rejected(runId, this.stage))
        this.rejected.set(r.key, failedRecord(r.key, r.arch, r.reason, { rejected: true, measured: r.measured }, r.at));
    const cp = store.loadCheckpoint(runId, this.stage) as EngineCheckpoint | undefined;
    if (cp) {
      strategy.restore(cp.strategy);
      this.waiting = { ...cp.waiting };
    } else if (trials.length > 0) {
      throw new FatalError(`run ${runId} has trials but no strategy checkpoint; the store is damaged`);
    }
    return rerun;
  }

  /**
   * When the search must stop for time: the run's time budget (its search time over all sessions),
   * or a stage's own (the stage's search time), whichever comes first. The reasons differ: a spent
   * run budget stops the run, a spent stage budget only ends the stage.
   */
  private deadline(): { at: number; cause: StopCause; reason: string } | undefined {
    const { store, runId } = this.s;
    const ends: { at: number; cause: StopCause; reason: string }[] = [];
    if (this.budget.time !== undefined) {
      const spent = store.getRun(runId)?.elapsedMs ?? 0;
      ends.push({
        at: Date.now() + this.budget.time * 1000 - spent,
        cause: 'time-budget',
        reason: `time budget of ${this.budget.time}s reached`,
      });
    }
    if (this.budget.stageTime !== undefined && this.stage !== '') {
      const spent = store.stages(runId).find((r) => r.stage === this.stage)?.elapsedMs ?? 0;
      ends.push({
        at: Date.now() + this.budget.stageTime * 1000 - spent,
        cause: 'stage-time',
        reason: `stage time budget of ${this.budget.stageTime}s reached`,
      });
    }
    return ends.sort((a, b) => a.at - b.at)[0];
  }

  private async loop(): Promise<void> {
    const { strategy } = this.s;
    const maxDup = this.s.maxConsecutiveDuplicates ?? 10_000;
    let duplicates = 0;
    let strategyDone = false;
    for (;;) {
      if (this.fatal) throw this.fatal;
      let waits = false;
      while (!this.stopReason && !strategyDone && this.hasRoom() && this.canPropose()) {
        const a = strategy.ask();
        if ('done' in a) {
          strategyDone = true;
          break;
        }
        if ('wait' in a) {
          waits = true;
          break;
        }
        if ('supernet' in a) {
          this.proposeSupernet(a.supernet, a.info);
          continue;
        }
        if (this.propose(a.arch, a.info)) duplicates = 0;
        else if (++duplicates >= maxDup) {
          this.stop(
            'complete',
            'duplicates',
            `the strategy proposed only evaluated architectures ${maxDup} times in a row (space exhausted?)`,
          );
        }
      }
      // Reproducible: one held result told at a time, each followed by the asks it allows (the loop comes
      // back here), so the strategy sees the same interleaving however results arrive. Once stopping,
      // held results are not told (no asks would follow them): resume re-runs those trials.
      if (!this.stopReason && this.tellNext()) continue;
      if (this.inflight.size === 0) {
        if (this.stopReason) return;
        if (strategyDone) return this.stop('complete', 'strategy-done', 'the strategy has nothing more to propose');
        if (!this.canPropose()) return this.stop('complete', 'trial-budget', this.budgetReason());
        if (waits) throw new FatalError('the strategy waits for results while no trial is running (a strategy bug)');
        continue;
      }
      await Promise.race(this.inflight.values());
      // let timers and signal handlers run even when evaluations settle synchronously
      await yieldToEventLoop();
    }
  }

  /** Eager: a free slot. Reproducible: trial k waits until trials 1..k-parallel are told. */
  private hasRoom(): boolean {
    const untold = this.order ? this.order.untold(this.nextNumber) : this.inflight.size;
    return untold < this.s.workflow.parallel;
  }

  /** Reproducible schedule: records and tells the next held result if its turn has come. */
  private tellNext(): boolean {
    const next = this.order?.next();
    if (next) this.record(next.result.trial, next.result.attempt);
    return next !== undefined;
  }

  private canPropose(): boolean {
    return this.budget.trials === undefined || this.total < this.budget.trials;
  }

  private budgetReason(): string {
    return `trial budget of ${this.budget.trials} reached`;
  }

  /** Handles one proposal; false when its key was evaluated (or is being evaluated) already. */
  private propose(arch: Arch, info?: JsonObject): boolean {
    const { store, runId, space, strategy } = this.s;
    const key = space.key(arch);
    const earlier = this.byKey.get(key) ?? this.rejected.get(key);
    if (earlier) {
      this.tellDuplicate(earlier);
      return false;
    }
    let measured: Metrics | undefined;
    if (this.s.measure) {
      try {
        measured = this.s.measure(arch, key);
      } catch {
        measured = undefined; // cannot be built: the evaluator fails it with its own message
      }
      const violations = measured ? constraintViolations(this.s.constraints, measured) : [];
      if (measured && violations.length > 0) {
        const rec = failedRecord(
          key,
          arch,
          `rejected by constraints: ${violations.join('; ')}`,
          { ...info, rejected: true, measured },
          Date.now(),
        );
        store.transaction(() => {
          store.insertRejected(runId, this.stage, {
            key,
            arch,
            measured: measured!,
            reason: rec.error!,
            at: rec.startedAt,
          });
          strategy.tell(rec);
          this.checkpoint();
        });
        this.rejected.set(key, rec);
        this.s.onEvent?.({ type: 'trial-rejected', key, reason: rec.error! });
        return false;
      }
    }
    this.startTrial(key, arch, info || measured ? { ...info, ...(measured ? { measured } : {}) } : undefined);
    return true;
  }

  /**
   * A proposal whose key was evaluated (or is being evaluated) already: the strategy is told the earlier
   * record (when it finishes, for a running one). Not checkpointed: it changes nothing in the store, so
   * after a crash the strategy, restored to the last checkpoint, replays the same proposal
   * deterministically; the next checkpoint (or the one at the end of the session) covers it.
   */
  private tellDuplicate(earlier: TrialRecord): void {
    if (earlier.state === 'running') this.waiting[earlier.key] = (this.waiting[earlier.key] ?? 0) + 1;
    else this.s.strategy.tell(earlier);
    this.unsaved = true;
  }

  /** Records a new `running` trial together with the checkpoint of the strategy that proposed it, then evaluates it. */
  private startTrial(key: string, arch: Arch, info: JsonObject | undefined): void {
    const { store, runId } = this.s;
    const number = this.nextNumber++;
    const trial: TrialRecord = {
      number,
      key,
      arch,
      state: 'running',
      metrics: {},
      seed: deriveSeed(this.s.workflow.seed, this.stage, 'trial', number),
      attempts: 1,
      startedAt: Date.now(),
      ...(info ? { info } : {}),
    };
    store.transaction(() => {
      store.insertTrial(runId, this.stage, trial);
      this.checkpoint();
    });
    this.byKey.set(key, trial);
    this.total++;
    this.dispatch(trial);
  }

  /**
   * A one-shot strategy's supernet request (see SupernetAsk): one trial with key `supernet:<id>`,
   * arch `{ supernet: request }` and info.job = 'supernet', evaluated by evaluator.supernet(). It is
   * stored, checkpointed, retried and resumed like any trial, but never counts as the best.
   */
  private proposeSupernet(request: SupernetAsk['supernet'], info?: JsonObject): void {
    if (!this.s.evaluator.supernet) {
      throw new FatalError(
        'the strategy asked for a supernet, which this evaluator cannot train (use evaluation type train)',
      );
    }
    const key = supernetKey(request.id);
    const earlier = this.byKey.get(key);
    if (earlier) this.tellDuplicate(earlier);
    else this.startTrial(key, { supernet: request }, { ...info, job: 'supernet' });
  }

  private dispatch(trial: TrialRecord): void {
    this.s.onEvent?.({ type: 'trial-started', trial });
    const p = this.evaluate(trial)
      .then((r) => this.finish(trial, r))
      .catch((e: unknown) => {
        this.fatal ??= e instanceof Error ? e : new Error(String(e));
        this.stop('failed', 'fatal', errorMessage(e));
      })
      .finally(() => {
        this.inflight.delete(trial.number);
      });
    this.inflight.set(trial.number, p);
  }

  /** Evaluates with retries; throws only fatal errors. */
  private async evaluate(trial: TrialRecord): Promise<Attempt> {
    const { evaluator, pruner, workflow } = this.s;
    for (let attempt = trial.attempts; ; attempt++) {
      trial.attempts = attempt;
      const controller = new AbortController();
      this.controllers.set(trial.number, controller);
      const curve: CurvePoint[] = [];
      let pruned = false;
      let prunedAt: number | null = null;
      let noted: JsonObject | undefined;
      try {
        if (this.stopReason) return { kind: 'interrupted' };
        const supernet = isSupernetTrial(trial);
        const run = supernet ? evaluator.supernet?.bind(evaluator) : evaluator.evaluate.bind(evaluator);
        if (!run) throw new FatalError(`trial ${trial.number} is a supernet search, which this evaluator cannot run`);
        const result = await run(
          {
            trial: trial.number,
            arch: trial.arch,
            key: trial.key,
            seed: deriveSeed(trial.seed, 'attempt', attempt),
            attempt,
          },
          {
            signal: controller.signal,
            note: (info) => {
              noted = { ...noted, ...info };
            },
            report: (step, metrics) => {
              curve.push({ step, metrics: { ...metrics } });
              this.s.onEvent?.({ type: 'trial-progress', number: trial.number, step, metrics });
              if (supernet || pruned) return;
              if (this.order) {
                // reproducible: judged against trials 1..n-parallel, told before trial n was asked (resumed
                // with a smaller --parallel they may not be: then it is judged when told)
                const through = this.evidenceThrough(trial.number);
                if (this.pruning && this.order.toldThrough(through))
                  prunedAt = this.pruning.pruneStep(trial.number, curve, through);
                pruned = prunedAt !== null;
              } else pruned = pruner?.shouldPrune(trial.number, step, metrics) ?? false;
              if (pruned) controller.abort();
            },
          },
        );
        if (pruned) return withInfo(prunedAttempt(curve, prunedAt), noted);
        return {
          kind: 'done',
          metrics: result.metrics,
          curve: result.curve ?? curve,
          ...(result.info ? { info: result.info } : {}),
        };
      } catch (e) {
        if (pruned) return withInfo(prunedAttempt(curve, prunedAt), noted);
        if (controller.signal.aborted && this.stopReason) return { kind: 'interrupted' };
        if (e instanceof FatalError) throw e;
        // only a TrialError that says so is retried (a crashed worker, a timeout): any other exception is
        // deterministic (data, shapes, a RangeError while parsing) and would fail the same way again
        const retryable = e instanceof TrialError && e.retryable;
        if (!retryable || attempt > workflow.retries)
          return { kind: 'failed', error: errorMessage(e), curve, ...(noted ? { info: noted } : {}) };
        this.s.onEvent?.({ type: 'trial-retry', number: trial.number, attempt, error: errorMessage(e) });
      } finally {
        this.controllers.delete(trial.number);
      }
    }
  }

  private finish(trial: TrialRecord, r: Attempt): void {
    if (r.kind === 'interrupted') return; // stays `running`: resume evaluates it again
    if (this.order)
      this.order.hold(trial.number, { trial, attempt: r }); // written and told in number order
    else this.record(trial, r);
  }

  /** Writes a final result together with the tell and the checkpoint. */
  private record(trial: TrialRecord, attempt: Attempt): void {
    const { store, runId, strategy } = this.s;
    const r = this.judged(trial, attempt);
    if (r.kind === 'interrupted') return;
    const done: TrialRecord = {
      ...trial,
      state: r.kind === 'done' ? 'complete' : r.kind,
      metrics: r.kind === 'failed' ? {} : { ...measuredOf(trial), ...r.metrics },
      finishedAt: Date.now(),
      ...(r.curve.length > 0 ? { curve: r.curve } : {}),
      ...(r.kind === 'failed' ? { error: r.error } : {}),
      ...(r.info ? { info: { ...trial.info, ...r.info } } : {}),
    };
    store.transaction(() => {
      store.finishTrial(runId, this.stage, done);
      this.markElapsed();
      strategy.tell(done);
      for (let i = this.waiting[done.key] ?? 0; i > 0; i--) strategy.tell(done);
      delete this.waiting[done.key];
      this.checkpoint();
    });
    this.byKey.set(done.key, done);
    this.noteFinal(done);
    this.s.onEvent?.({ type: 'trial-finished', trial: done, best: this.best, finished: this.finalCount });
    if (done.state === 'failed' && this.failures > this.budget.failures) {
      this.stop(
        'failed',
        'failure-budget',
        `${this.failures} trials failed, more than the failure budget of ${this.budget.failures}; last error: ${done.error}`,
      );
    }
  }

  /** The pruning evidence of trial n under the reproducible schedule: trials 1..n-parallel. */
  private evidenceThrough(number: number): number {
    return number - this.s.workflow.parallel;
  }

  /**
   * Reproducible schedule: a trial whose pruning could not be decided while it ran (its evidence was not
   * all told yet) is judged now, against trials 1..n-parallel, and cut where it would have stopped.
   */
  private judged(trial: TrialRecord, r: Attempt): Attempt {
    if (!this.pruning || isSupernetTrial(trial) || (r.kind !== 'done' && r.kind !== 'failed')) return r;
    const step = this.pruning.pruneStep(trial.number, r.curve, this.evidenceThrough(trial.number));
    // pruned_late: the trial trained past the step where it stops (the time `schedule: eager` saves here)
    return step === null ? r : withInfo(prunedAttempt(r.curve, step), { ...r.info, pruned_late: true });
  }

  private noteFinal(t: TrialRecord): void {
    this.finalCount++;
    if (t.state === 'failed') this.failures++;
    if (isSupernetTrial(t)) return; // a supernet is not a candidate: neither best nor pruning evidence
    if (this.pruning) this.pruning.observe(t);
    else this.s.pruner?.observe(t);
    if (t.state !== 'complete') return;
    const score = objectiveScore(this.s.workflow.objective, t.metrics);
    const bestScore = this.best ? objectiveScore(this.s.workflow.objective, this.best.metrics) : null;
    if (score !== null && (bestScore === null || score > bestScore)) this.best = t;
  }

  /** Adds the search time since the last mark to the run (and stage) in the store. */
  private markElapsed(): void {
    const now = Date.now();
    this.s.store.addElapsed(this.s.runId, now - this.lastMark, this.stage);
    this.lastMark = now;
  }

  private checkpoint(): void {
    this.unsaved = false;
    const cp: EngineCheckpoint = { strategy: this.s.strategy.snapshot(), waiting: this.waiting };
    this.s.store.saveCheckpoint(this.s.runId, this.stage, cp as unknown as Json);
  }

  private stop(status: SearchOutcome['status'], cause: StopCause, reason: string): void {
    if (this.stopReason) return;
    this.stopReason = { status, cause, reason };
    for (const c of this.controllers.values()) c.abort();
  }
}

/** A trial stopped by its pruner: the curve up to the deciding step (null: all of it) and the metrics there. */
function prunedAttempt(curve: CurvePoint[], step: number | null): Attempt {
  if (step === null) return { kind: 'pruned', metrics: curve[curve.length - 1]?.metrics ?? {}, curve };
  return { kind: 'pruned', ...cutAt(curve, step) };
}

function withInfo(a: Attempt, info: JsonObject | undefined): Attempt {
  return info && a.kind !== 'interrupted' && a.kind !== 'done' ? { ...a, info } : a;
}

/** What the engine measured before evaluation (kept in info.measured). */
function measuredOf(t: TrialRecord): Metrics {
  const m = t.info?.measured;
  return m && typeof m === 'object' && !Array.isArray(m) ? (m as Metrics) : {};
}
