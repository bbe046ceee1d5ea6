// Best-improvement local search with random restarts: evaluate every one-step neighbour (each single
// decision set to each other choice) of the current architecture, move to the best neighbour if it
// beats the current one, otherwise (a local optimum) restart from a new random architecture.
// The first start is a warm-start architecture when one is given. Results are cached by key so a
// neighbour met again costs nothing.

import { trialScore } from '../engine/core/trial.js';
import type { Arch, Json, TrialRecord } from '../engine/core/types.js';
import { Rng } from '../engine/core/rng.js';
import { neighbourChoices } from '../engine/space/tree.js';
import type { Ask, Strategy, StrategyContext, StrategyDefinition } from '../engine/core/strategy.js';
import { type Scored, SeenKeys, checkSnapshot, rngStateOf, sampleFresh, takeKey, validArchs } from './lib/common.js';

const TYPE = 'local-search';
const VERSION = 2;

interface State {
  rng: Rng;
  /** Start proposal in flight, if any. */
  startKey: string | null;
  current: Scored | null;
  /** Neighbours of `current` not proposed yet. */
  queue: Arch[];
  /** Neighbour keys in flight. */
  pending: string[];
  /** Best neighbour of `current` seen so far. */
  best: Scored | null;
  /** key -> score (null: failed) of every result told. */
  known: Map<string, number | null>;
  /** The same results as "choice indices=score" ("3.0.1=93.5"; x: failed), in the order told, for snapshots. */
  knownCodes: string[];
  seen: SeenKeys;
  warm: Arch[];
  restarts: number;
}

class LocalSearch implements Strategy {
  private s: State;

  constructor(private readonly ctx: StrategyContext) {
    this.s = {
      rng: new Rng(ctx.seed),
      startKey: null,
      current: null,
      queue: [],
      pending: [],
      best: null,
      known: new Map(),
      knownCodes: [],
      seen: new SeenKeys(ctx.space),
      warm: validArchs(ctx.space, ctx.warmStart?.archs).slice(0, 1),
      restarts: 0,
    };
  }

  ask(): Ask {
    const s = this.s;
    const { space } = this.ctx;
    // each pass proposes, waits, ends, or moves on; the guard covers a huge space whose samples
    // keep landing on known architectures
    for (let guard = 0; guard < 10_000; guard++) {
      if (s.current === null) {
        if (s.startKey !== null) return { wait: true };
        const arch = s.warm.shift() ?? sampleFresh(space, s.rng, s.seen.set, this.ctx.warmStart?.priors);
        if (arch === null) return { done: true };
        const key = s.seen.add(arch);
        const known = s.known.get(key);
        if (known === undefined) {
          s.startKey = key;
          return { arch, info: { origin: 'restart', restarts: s.restarts } };
        }
        if (known !== null) this.moveTo({ arch, key, score: known });
        continue;
      }
      while (s.queue.length > 0) {
        const arch = s.queue.shift() as Arch;
        const key = space.key(arch);
        const known = s.known.get(key);
        if (known === undefined) {
          s.seen.add(arch);
          s.pending.push(key);
          return { arch, info: { origin: 'neighbour', of: s.current.key } };
        }
        this.consider({ arch, key, score: known });
      }
      if (s.pending.length > 0) return { wait: true };
      // neighbourhood complete
      if (s.best !== null && s.best.score > s.current.score) {
        this.moveTo(s.best);
      } else {
        s.current = null; // local optimum: restart
        s.restarts++;
      }
    }
    return { done: true };
  }

  private consider(c: { arch: Arch; key: string; score: number | null }): void {
    if (c.score === null) return;
    if (this.s.best === null || c.score > this.s.best.score) this.s.best = { arch: c.arch, key: c.key, score: c.score };
  }

  private moveTo(c: Scored): void {
    const { space } = this.ctx;
    const s = this.s;
    s.current = c;
    s.best = null;
    const keys = new Set([c.key]);
    s.queue = [];
    for (const choices of neighbourChoices(space, space.choicesOf(c.arch), s.rng)) {
      const arch = space.decode(choices);
      const key = space.key(arch);
      if (!keys.has(key)) {
        keys.add(key);
        s.queue.push(arch);
      }
    }
  }

  tell(trial: TrialRecord): void {
    const s = this.s;
    const score = trialScore(this.ctx.objective, trial);
    if (!s.known.has(trial.key)) s.knownCodes.push(`${this.ctx.space.choicesOf(trial.arch).join('.')}=${score ?? 'x'}`);
    s.known.set(trial.key, score);
    if (s.startKey === trial.key) {
      s.startKey = null;
      if (score !== null) this.moveTo({ arch: trial.arch, key: trial.key, score });
      return;
    }
    if (takeKey(s.pending, trial.key)) this.consider({ arch: trial.arch, key: trial.key, score });
  }

  snapshot(): Json {
    const s = this.s;
    return {
      type: TYPE,
      version: VERSION,
      rng: s.rng.state(),
      startKey: s.startKey,
      current: s.current,
      queue: [...s.queue],
      pending: [...s.pending],
      best: s.best,
      // as compact as SeenKeys: a snapshot is written after every trial
      known: s.knownCodes.join('|'),
      seen: s.seen.snapshot(),
      warm: [...s.warm],
      restarts: s.restarts,
    };
  }

  restore(state: Json): void {
    const j = checkSnapshot(state, TYPE, VERSION);
    this.s = {
      rng: Rng.fromState(rngStateOf(j.rng)),
      startKey: j.startKey as string | null,
      current: j.current as Scored | null,
      queue: j.queue as Arch[],
      pending: j.pending as string[],
      best: j.best as Scored | null,
      ...this.restoreKnown(j.known),
      seen: SeenKeys.restore(this.ctx.space, j.seen),
      warm: j.warm as Arch[],
      restarts: Number(j.restarts),
    };
  }

  private restoreKnown(snapshot: Json | undefined): Pick<State, 'known' | 'knownCodes'> {
    const { space } = this.ctx;
    const known: State['known'] = new Map();
    const knownCodes = typeof snapshot === 'string' && snapshot !== '' ? snapshot.split('|') : [];
    for (const entry of knownCodes) {
      const [code, score] = entry.split('=');
      known.set(
        space.key(space.decode(code === '' ? [] : code.split('.').map(Number))),
        score === 'x' ? null : Number(score),
      );
    }
    return { known, knownCodes };
  }
}

export const localSearch: StrategyDefinition<Record<string, never>> = {
  type: TYPE,
  description:
    'Best-improvement local search over one-decision neighbourhoods, restarting at random from each local optimum.',
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  create: (_options, ctx) => new LocalSearch(ctx),
};
