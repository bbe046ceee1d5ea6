// Regularized (aging) evolution, Real et al. 2019: a population of `population` architectures starts
// random (or from warm-start architectures); then each step draws `sample` members at random, mutates
// the best of them and appends the child, removing the OLDEST member (not the worst). Failed trials
// never join the population; the initial phase samples again to replace them.

import { trialScore } from '../engine/core/trial.js';
import type { Json, TrialRecord } from '../engine/core/types.js';
import type { Ask, Strategy, StrategyContext, StrategyDefinition } from '../engine/core/strategy.js';
import { type Scored, checkSnapshot, tournament } from './lib/common.js';
import {
  type Breeding,
  breedingSnapshot,
  newBreeding,
  proposeInitial,
  restoreBreeding,
  takeProposal,
} from './lib/population.js';

const TYPE = 'regularized-evolution';
const VERSION = 1;

export interface RegularizedEvolutionOptions {
  population?: number;
  sample?: number;
}

interface State extends Breeding {
  /** Oldest first. */
  population: Scored[];
}

class RegularizedEvolution implements Strategy {
  private s: State;

  constructor(
    private readonly P: number,
    private readonly S: number,
    private readonly ctx: StrategyContext,
  ) {
    this.s = { ...newBreeding(ctx), population: [] };
  }

  ask(): Ask {
    const { space } = this.ctx;
    const s = this.s;
    if (s.population.length + s.initPending.length < this.P) return proposeInitial(s, this.ctx);
    // evolve once the initial population is complete (or nothing more of it is coming)
    if (s.population.length === 0 || (s.population.length < this.P && s.initPending.length > 0)) return { wait: true };
    const parent = tournament(s.population, this.S, s.rng);
    const child = space.mutate(parent.arch, s.rng);
    s.childPending.push(space.key(child));
    return { arch: child, info: { origin: 'mutation', parent: parent.key } };
  }

  tell(trial: TrialRecord): void {
    const s = this.s;
    if (!takeProposal(s, trial.key)) return; // not ours
    const score = trialScore(this.ctx.objective, trial);
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
      ...breedingSnapshot(s),
    };
  }

  restore(state: Json): void {
    const j = checkSnapshot(state, TYPE, VERSION);
    this.s = { ...restoreBreeding(j), population: j.population as Scored[] };
  }
}

export const regularizedEvolution: StrategyDefinition<RegularizedEvolutionOptions> = {
  type: TYPE,
  description:
    'Regularized (aging) evolution (Real et al. 2019): tournament selection, one-decision mutation, the oldest member dies.',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      population: {
        type: 'integer',
        minimum: 2,
        default: 20,
        description: 'Size of the population (also the number of initial random architectures).',
      },
      sample: {
        type: 'integer',
        minimum: 1,
        default: 5,
        description: 'Members drawn per tournament; the best of them is mutated.',
      },
    },
  },
  create: (options, ctx) => new RegularizedEvolution(options.population ?? 20, options.sample ?? 5, ctx),
};
