// Builds the three objects of a search (space, strategy, evaluator) from a validated workflow.

import { FatalError } from '../core/errors.js';
import { deriveSeed } from '../core/rng.js';
import { createSpace } from '../space/index.js';
import type { SearchSpace } from '../core/space.js';
import { getEvaluator } from '../evaluation/index.js';
import type { Evaluator } from '../core/evaluator.js';
import { getStrategy } from '../../strategies/index.js';
import type { Strategy, WarmStart } from '../core/strategy.js';
import type { JsonObject } from '../core/types.js';
import type { WorkflowConfig } from '../core/workflow.js';

export function optionsOf(section: { type: string } & JsonObject): JsonObject {
  const { type: _type, ...options } = section;
  return options;
}

export function makeStrategy(wf: WorkflowConfig, space: SearchSpace, warmStart?: WarmStart): Strategy {
  const def = getStrategy(wf.strategy.type);
  if (!def) throw new FatalError(`unknown strategy type "${wf.strategy.type}"`);
  return def.create(optionsOf(wf.strategy), {
    space,
    capabilities: { supernet: getEvaluator(wf.evaluation.type)?.supernet === true },
    seed: deriveSeed(wf.seed, 'strategy'),
    objective: wf.objective,
    ...(wf.objectives ? { objectives: wf.objectives } : {}),
    ...(wf.budget.trials !== undefined ? { budgetTrials: wf.budget.trials } : {}),
    ...(warmStart ? { warmStart } : {}),
  });
}

export async function makeEvaluator(
  wf: WorkflowConfig,
  space: SearchSpace,
  run?: { id: number; storePath: string; stage?: string; createdAt?: number },
): Promise<Evaluator> {
  const def = getEvaluator(wf.evaluation.type);
  if (!def) throw new FatalError(`unknown evaluation type "${wf.evaluation.type}"`);
  if (wf.executor?.type === 'redis') {
    // trials go to `nas worker`s through a queue; imported here so local runs never load BullMQ
    const { RemoteEvaluator } = await import('../evaluation/remote/executor.js');
    const remote = new RemoteEvaluator(wf, run);
    await remote.start();
    return remote;
  }
  return def.create(optionsOf(wf.evaluation), { workflow: wf, space, ...(run ? { run } : {}) });
}

export function makeSpace(wf: WorkflowConfig): SearchSpace {
  return createSpace(wf.space);
}
