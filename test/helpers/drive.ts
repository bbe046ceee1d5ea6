// A small, synchronous stand-in for the engine's ask/tell loop, for strategy tests: up to `parallel`
// proposals in flight, completed in a seeded random order (so tells arrive out of order), with the
// engine's dedup semantics: a proposal whose key was already evaluated is not evaluated again, the
// strategy is told the earlier record (and a proposal whose key is in flight gets that trial's record
// when it completes).

import type { Arch, Metrics, TrialRecord } from '../../engine/core/types.js';
import type { SearchSpace } from '../../engine/core/space.js';
import type { Strategy } from '../../engine/core/strategy.js';
import { Rng, deriveSeed } from '../../engine/core/rng.js';

export interface DriveOptions {
  /** Trials to evaluate (dedup tells do not count). */
  budget: number;
  /** Proposals in flight at once (default 1). */
  parallel?: number;
  /** Seeds the completion order and the trials' seeds (default 0). */
  seed?: number;
  /** Records of an earlier part of the run: dedup sees them and numbering continues after them. */
  history?: readonly TrialRecord[];
  /** Stops asking after this many asks (guards a strategy that only repeats itself; default 20 x budget + 100). */
  maxAsks?: number;
  /** Called for every proposal, duplicates included. */
  onAsk?: (arch: Arch, key: string) => void;
}

/** Runs `strategy` until the budget is spent, it says done, or maxAsks; returns the new trials by number.
 *  `evaluate` returns metrics, or null for a failed trial. Throws when the strategy waits with nothing
 *  in flight (it would hang the engine). */
export function drive(
  strategy: Strategy,
  space: SearchSpace,
  evaluate: (arch: Arch) => Metrics | null,
  options: DriveOptions,
): TrialRecord[] {
  const parallel = options.parallel ?? 1;
  const seed = options.seed ?? 0;
  const maxAsks = options.maxAsks ?? options.budget * 20 + 100;
  const order = new Rng(deriveSeed(seed, 'drive'));
  const evaluated = new Map<string, TrialRecord>();
  let number = 0;
  for (const r of options.history ?? []) {
    evaluated.set(r.key, r);
    number = Math.max(number, r.number);
  }
  const inflight: { number: number; key: string; arch: Arch; followers: number }[] = [];
  const out: TrialRecord[] = [];
  let asks = 0;
  let done = false;
  for (;;) {
    while (!done && inflight.length < parallel && out.length + inflight.length < options.budget && asks < maxAsks) {
      const a = strategy.ask();
      asks++;
      if ('done' in a) done = true;
      if (!('arch' in a)) break;
      const key = space.key(a.arch);
      options.onAsk?.(a.arch, key);
      const prev = evaluated.get(key);
      const same = inflight.find((f) => f.key === key);
      if (prev) strategy.tell(prev);
      else if (same) same.followers++;
      else inflight.push({ number: ++number, key, arch: a.arch, followers: 0 });
    }
    if (inflight.length === 0) {
      if (done || out.length >= options.budget || asks >= maxAsks) break;
      throw new Error('strategy asked to wait with nothing in flight');
    }
    const f = inflight.splice(order.int(inflight.length), 1)[0];
    const metrics = evaluate(f.arch);
    const record: TrialRecord = {
      number: f.number,
      key: f.key,
      arch: f.arch,
      state: metrics ? 'complete' : 'failed',
      metrics: metrics ?? {},
      seed: deriveSeed(seed, f.number),
      attempts: 1,
      startedAt: 0,
      finishedAt: 0,
      ...(metrics ? {} : { error: 'evaluation failed' }),
    };
    evaluated.set(f.key, record);
    out.push(record);
    strategy.tell(record);
    for (let i = 0; i < f.followers; i++) strategy.tell(record);
  }
  return out.sort((a, b) => a.number - b.number);
}

/** Best objective value (max) of `metric` over complete trials; -Infinity when none. */
export function bestOf(records: readonly TrialRecord[], metric: string): number {
  let best = -Infinity;
  for (const r of records)
    if (r.state === 'complete' && typeof r.metrics[metric] === 'number') best = Math.max(best, r.metrics[metric]);
  return best;
}
