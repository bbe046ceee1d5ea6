// Regularized (aging) evolution, Real et al. 2019: a population of `population` architectures starts
// random (or from warm-start architectures); then each step draws `sample` members at random, mutates
// the best of them and appends the child, removing the OLDEST member (not the worst). Failed trials
// never join the population; the initial phase samples again to replace them.

import type { Arch, Json, TrialRecord } from '../engine/types.js';
import { Rng } from '../engine/rng.js';
import type { Ask, Strategy, StrategyContext, StrategyDefinition } from './types.js';
import { type Scored, checkSnapshot, rngStateOf, sampleFresh, scoreOf, takeKey, tournament, validArchs } from './lib/search.js';

const TYPE = 'regularized-evolution';
const VERSION = 1;

export interface RegularizedEvolutionOptions {
  population?: number;
  sample?: number;
}

interface State {
  rng: Rng;
  /** Oldest first. */
  population: Scored[];
  /** Keys of initial-population proposals in flight, and of children in flight. */
  initPending: string[];
  childPending: string[];
  /** Warm-start architectures not proposed yet. */
  warm: Arch[];
  /** Keys proposed for the initial population (so it avoids repeats). */
  seen: Set<string>;
}

class RegularizedEvolution implements Strategy {
  private s: State;

  constructor(
    private readonly P: number,
    private readonly S: number,
    private readonly ctx: StrategyContext,
  ) {
    this.s = {
      rng: new Rng(ctx.seed),
      population: [],
      initPending: [],
      childPending: [],
      warm: validArchs(ctx.space, ctx.warmStart?.archs),
      seen: new Set(),
    };
  }

  ask(): Ask {
    const { space } = this.ctx;
    const s = this.s;
    if (s.population.length + s.initPending.length < this.P) {
      const arch = s.warm.shift() ?? sampleFresh(space, s.rng, s.seen, this.ctx.warmStart?.priors) ?? space.sample(s.rng);
      const key = space.key(arch);
      s.seen.add(key);
      s.initPending.push(key);
      return { arch, info: { origin: 'initial' } };
    }
    // evolve once the initial population is complete (or nothing more of it is coming)
    if (s.population.length === 0 || (s.population.length < this.P && s.initPending.length > 0)) return { wait: true };
    const parent = tournament(s.population, this.S, s.rng);
    const child = space.mutate(parent.arch, s.rng);
    s.childPending.push(space.key(child));
    return { arch: child, info: { origin: 'mutation', parent: parent.key } };
  }

  tell(trial: TrialRecord): void {
    const s = this.s;
    if (!takeKey(s.initPending, trial.key) && !takeKey(s.childPending, trial.key)) return; // not ours
    const score = scoreOf(this.ctx.objective, trial);
    if (score === null) return;
    s.population.push({ arch: trial.arch, key: trial.key, score });
    while (s.population.length > this.P) s.population.shift(); // aging: the oldest dies
  }

  snapshot(): Json {
    const s = this.s;
    return {
      type: TYPE,
      version: VERSION,
      rng: s.rng.state(),
      population: [...s.population],
      initPending: [...s.initPending],
      childPending: [...s.childPending],
      warm: [...s.warm],
      seen: [...s.seen],
    };
  }

  restore(state: Json): void {
    const j = checkSnapshot(state, TYPE, VERSION);
    this.s = {
      rng: Rng.fromState(rngStateOf(j.rng)),
      population: j.population as Scored[],
      initPending: j.initPending as string[],
      childPending: j.childPending as string[],
      warm: j.warm as Arch[],
      seen: new Set(j.seen as string[]),
    };
  }
}

export const regularizedEvolution: StrategyDefinition<RegularizedEvolutionOptions> = {
  type: TYPE,
  description: 'Regularized (aging) evolution (Real et al. 2019): tournament selection, one-decision mutation, the oldest member dies.',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      population: { type: 'integer', minimum: 2, default: 20, description: 'Size of the population (also the number of initial random architectures).' },
      sample: { type: 'integer', minimum: 1, default: 5, description: 'Members drawn per tournament; the best of them is mutated.' },
    },
  },
  create: (options, ctx) => new RegularizedEvolution(options.population ?? 20, options.sample ?? 5, ctx),
};
