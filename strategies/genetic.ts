// Generational genetic algorithm: a population is evaluated as a whole (the strategy waits for every
// member), then the next generation keeps the `elitism` best and fills up with children made by
// tournament selection, uniform crossover by decision (with probability crossover_rate) and a
// one-decision mutation (with probability mutation_rate). A child already seen is mutated again
// (a few times) so that budget goes to new architectures. Fitness is the objective score; failed
// members have none and cannot be parents.

import { trialScore } from '../engine/core/trial.js';
import type { Arch, Json, TrialRecord } from '../engine/core/types.js';
import { Rng } from '../engine/core/rng.js';
import type { Ask, Strategy, StrategyContext, StrategyDefinition } from '../engine/core/strategy.js';
import { type Scored, SeenKeys, checkSnapshot, rngStateOf, sampleFresh, tournament, validArchs } from './lib/common.js';

const TYPE = 'genetic';
const VERSION = 2;
const NOVELTY_TRIES = 8;

export interface GeneticOptions {
  population?: number;
  /** Generations in all (the initial one included); absent: unbounded. */
  generations?: number;
  tournament?: number;
  crossover_rate?: number;
  mutation_rate?: number;
  elitism?: number;
}

type Member = { arch: Arch; key: string; status: 'new' | 'proposed' | 'told'; score: number | null };

interface State {
  rng: Rng;
  generation: number; // 0-based
  members: Member[];
  /** Elites carried over from the previous generation: already scored, not evaluated again. */
  elites: Scored[];
  seen: SeenKeys;
}

class Genetic implements Strategy {
  private s: State;
  private readonly o: Required<Omit<GeneticOptions, 'generations'>> & { generations?: number };

  constructor(
    options: GeneticOptions,
    private readonly ctx: StrategyContext,
  ) {
    const population = Math.max(2, options.population ?? 20);
    this.o = {
      population,
      generations: options.generations,
      tournament: options.tournament ?? 3,
      crossover_rate: options.crossover_rate ?? 0.9,
      mutation_rate: options.mutation_rate ?? 0.3,
      elitism: Math.min(options.elitism ?? 1, population - 1), // at least one child per generation
    };
    const rng = new Rng(ctx.seed);
    const seen = new SeenKeys(ctx.space);
    const members: Member[] = [];
    for (const arch of validArchs(ctx.space, ctx.warmStart?.archs).slice(0, population)) {
      members.push(this.member(arch, seen));
    }
    this.s = { rng, generation: 0, members, elites: [], seen };
    while (members.length < population) members.push(this.member(this.fresh(), seen));
  }

  private member(arch: Arch, seen: SeenKeys): Member {
    const key = seen.add(arch);
    return { arch, key, status: 'new', score: null };
  }

  private fresh(): Arch {
    const { space, warmStart } = this.ctx;
    return sampleFresh(space, this.s.rng, this.s.seen.set, warmStart?.priors) ?? space.sample(this.s.rng);
  }

  ask(): Ask {
    for (let guard = 0; guard < 2; guard++) {
      const next = this.s.members.find((m) => m.status === 'new');
      if (next) {
        next.status = 'proposed';
        return { arch: next.arch, info: { generation: this.s.generation } };
      }
      if (this.s.members.some((m) => m.status === 'proposed')) return { wait: true };
      if (this.o.generations !== undefined && this.s.generation + 1 >= this.o.generations) return { done: true };
      this.breed();
    }
    throw new Error('genetic: a new generation had no members'); // unreachable: elitism < population
  }

  private breed(): void {
    const s = this.s;
    const { space } = this.ctx;
    const scored: Scored[] = [...s.elites];
    for (const m of s.members) if (m.score !== null) scored.push({ arch: m.arch, key: m.key, score: m.score });
    scored.sort((a, b) => b.score - a.score); // stable: earlier first on ties
    s.generation++;
    s.elites = scored.slice(0, this.o.elitism);
    s.members = [];
    for (let n = s.elites.length; n < this.o.population; n++) {
      if (scored.length === 0) {
        s.members.push(this.member(this.fresh(), s.seen)); // nobody to breed from: start over
        continue;
      }
      const p1 = tournament(scored, this.o.tournament, s.rng);
      let child = p1.arch;
      if (scored.length > 1 && s.rng.next() < this.o.crossover_rate) {
        child = space.crossover(p1.arch, tournament(scored, this.o.tournament, s.rng).arch, s.rng);
      }
      if (s.rng.next() < this.o.mutation_rate) child = space.mutate(child, s.rng);
      for (let t = 0; t < NOVELTY_TRIES && s.seen.has(space.key(child)); t++) child = space.mutate(child, s.rng);
      s.members.push(this.member(child, s.seen));
    }
  }

  tell(trial: TrialRecord): void {
    const m = this.s.members.find((x) => x.status === 'proposed' && x.key === trial.key);
    if (!m) return; // not of this generation
    m.status = 'told';
    m.score = trialScore(this.ctx.objective, trial);
  }

  snapshot(): Json {
    const s = this.s;
    return {
      type: TYPE,
      version: VERSION,
      rng: s.rng.state(),
      generation: s.generation,
      members: s.members.map((m) => ({ ...m })),
      elites: [...s.elites],
      seen: s.seen.snapshot(),
    };
  }

  restore(state: Json): void {
    const j = checkSnapshot(state, TYPE, VERSION);
    this.s = {
      rng: Rng.fromState(rngStateOf(j.rng)),
      generation: Number(j.generation),
      members: j.members as Member[],
      elites: j.elites as Scored[],
      seen: SeenKeys.restore(this.ctx.space, j.seen),
    };
  }
}

export const genetic: StrategyDefinition<GeneticOptions> = {
  type: TYPE,
  description:
    'Generational genetic algorithm: tournament selection, uniform crossover by decision, one-decision mutation, elitism.',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      population: { type: 'integer', minimum: 2, default: 20, description: 'Architectures per generation.' },
      generations: {
        type: 'integer',
        minimum: 1,
        description: 'Generations in all, the initial one included; unbounded when absent (the budget ends the run).',
      },
      tournament: {
        type: 'integer',
        minimum: 1,
        default: 3,
        description: 'Members drawn per parent selection; the fittest wins.',
      },
      crossover_rate: {
        type: 'number',
        minimum: 0,
        maximum: 1,
        default: 0.9,
        description: 'Probability that a child is a crossover of two parents (else a copy of one).',
      },
      mutation_rate: {
        type: 'number',
        minimum: 0,
        maximum: 1,
        default: 0.3,
        description: 'Probability that a child gets a one-decision mutation.',
      },
      elitism: {
        type: 'integer',
        minimum: 0,
        default: 1,
        description: 'Best architectures carried unchanged into the next generation (not evaluated again).',
      },
    },
  },
  create: (options, ctx) => new Genetic(options, ctx),
};
