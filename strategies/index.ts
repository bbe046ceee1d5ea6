// The strategy registry: type name -> definition. Adding a strategy is one file plus one line here.
// (Keep one import line and one entry line per strategy so concurrent additions do not collide.)

import type { StrategyDefinition } from '../engine/core/strategy.js';
import { random } from './random.js';
import { grid } from './grid.js';
import { regularizedEvolution } from './regularized-evolution.js';
import { genetic } from './genetic.js';
import { localSearch } from './local-search.js';
import { darts } from './darts.js';
import { qLearning } from './q-learning.js';
import { reinforce } from './reinforce.js';
import { bayesian } from './bayesian.js';
import { nsga2 } from './nsga2.js';
import { enas } from './enas.js';
import { spos } from './spos.js';

export const STRATEGIES: StrategyDefinition<any>[] = [
  random,
  grid,
  regularizedEvolution,
  genetic,
  localSearch,
  darts,
  qLearning,
  reinforce,
  bayesian,
  nsga2,
  enas,
  spos,
];

export function strategyTypes(): string[] {
  return STRATEGIES.map((s) => s.type);
}

export function getStrategy(type: string): StrategyDefinition<any> | undefined {
  return STRATEGIES.find((s) => s.type === type);
}
