// NSGA-II (Deb et al. 2002) for several objectives, in its steady-state form so it fits an asynchronous
// engine: a population of `population` architectures starts random (or from warm-start architectures);
// each child is bred from two parents chosen by binary tournaments on (Pareto rank, crowding distance),
// by crossover (probability `crossover_rate`) and one-decision mutation; when its result arrives it
// joins the population and the worst member leaves (last front, smallest crowding distance). With one
// objective it is a plain steady-state genetic algorithm. Failed trials never join the population.

import type { Arch, Json, Objective, TrialRecord } from '../engine/core/types.js';
import { crowdingDistance, nondominatedSort, scoreVector } from '../engine/core/pareto.js';
import type { Ask, Strategy, StrategyContext, StrategyDefinition } from '../engine/core/strategy.js';
import { checkSnapshot } from './lib/common.js';
import {
  type Breeding,
  breedingSnapshot,
  newBreeding,
  proposeInitial,
  restoreBreeding,
  takeProposal,
} from './lib/population.js';

const TYPE = 'nsga2';
const VERSION = 1;

export interface Nsga2Options {
  population?: number;
  crossover_rate?: number;
}

interface Member {
  arch: Arch;
  key: string;
  /** One score per objective, larger is better. */
  v: number[];
}

interface State extends Breeding {
  population: Member[];
}

class Nsga2 implements Strategy {
  private s: State;
  private readonly objectives: Objective[];

  constructor(
    private readonly P: number,
    private readonly crossoverRate: number,
    private readonly ctx: StrategyContext,
  ) {
    this.objectives = ctx.objectives ?? [ctx.objective];
    this.s = { ...newBreeding(ctx), population: [] };
  }

  ask(): Ask {
    const { space } = this.ctx;
    const s = this.s;
    if (s.population.length + s.initPending.length < this.P) return proposeInitial(s, this.ctx);
    if (s.population.length < 2 && s.initPending.length > 0) return { wait: true };
    if (s.population.length === 0) return { wait: true };
    const { rank, crowd } = this.ranking();
    const pick = (): Member => {
      const a = s.rng.int(s.population.length);
      const b = s.rng.int(s.population.length);
      const better =
        rank[a] !== rank[b]
          ? rank[a] < rank[b]
            ? a
            : b
          : crowd[a] !== crowd[b]
            ? crowd[a] > crowd[b]
              ? a
              : b
            : Math.min(a, b);
      return s.population[better];
    };
    const p1 = pick();
    const p2 = pick();
    let child = p1.arch;
    if (s.population.length > 1 && s.rng.next() < this.crossoverRate) child = space.crossover(p1.arch, p2.arch, s.rng);
    child = space.mutate(child, s.rng);
    s.childPending.push(space.key(child));
    return { arch: child, info: { origin: 'nsga2', parent: p1.key, parents: [p1.key, p2.key] } };
  }

  tell(trial: TrialRecord): void {
    const s = this.s;
    if (!takeProposal(s, trial.key)) return; // not ours
    if (trial.state === 'failed') return;
    const v = scoreVector(this.objectives, trial.metrics);
    if (v === null || s.population.some((m) => m.key === trial.key)) return;
    s.population.push({ arch: trial.arch, key: trial.key, v });
    if (s.population.length > this.P) {
      const fronts = nondominatedSort(s.population.map((m) => m.v));
      const last = fronts[fronts.length - 1];
      const crowd = crowdingDistance(
        s.population.map((m) => m.v),
        last,
      );
      // the most crowded member of the last front leaves (ties: the oldest)
      let worst = last[0];
      for (const i of last)
        if (
          (crowd.get(i) as number) < (crowd.get(worst) as number) ||
          ((crowd.get(i) as number) === (crowd.get(worst) as number) && i < worst)
        )
          worst = i;
      s.population.splice(worst, 1);
    }
  }

  private ranking(): { rank: number[]; crowd: number[] } {
    const vs = this.s.population.map((m) => m.v);
    const rank = new Array<number>(vs.length).fill(0);
    const crowd = new Array<number>(vs.length).fill(0);
    nondominatedSort(vs).forEach((front, f) => {
      const d = crowdingDistance(vs, front);
      for (const i of front) {
        rank[i] = f;
        crowd[i] = d.get(i) as number;
      }
    });
    return { rank, crowd };
  }

  snapshot(): Json {
    const s = this.s;
    return {
      type: TYPE,
      version: VERSION,
      rng: s.rng.state(),
      population: s.population.map((m) => ({
        arch: m.arch,
        key: m.key,
        v: m.v.map((x) => (Number.isFinite(x) ? x : x > 0 ? 1e308 : -1e308)),
      })),
      ...breedingSnapshot(s),
    };
  }

  restore(state: Json): void {
    const j = checkSnapshot(state, TYPE, VERSION);
    this.s = { ...restoreBreeding(j), population: j.population as unknown as Member[] };
  }
}

export const nsga2: StrategyDefinition<Nsga2Options> = {
  type: TYPE,
  description:
    'NSGA-II (Deb et al. 2002), steady state: Pareto rank and crowding distance for several objectives (objective: a list).',
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
      crossover_rate: {
        type: 'number',
        minimum: 0,
        maximum: 1,
        default: 0.5,
        description: 'Probability that a child is a crossover of its two parents before mutation.',
      },
    },
  },
  create: (options, ctx) => new Nsga2(options.population ?? 20, options.crossover_rate ?? 0.5, ctx),
};
