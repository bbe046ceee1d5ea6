// The evaluator registry: type name -> definition.

import type { EvaluatorDefinition } from '../core/evaluator.js';
import { benchmarkEvaluator } from './benchmark.js';
import { trainEvaluator } from './train/index.js';
import { proxyEvaluator } from './proxies/index.js';

export const EVALUATORS: EvaluatorDefinition<any>[] = [benchmarkEvaluator, trainEvaluator, proxyEvaluator];

export function evaluatorTypes(): string[] {
  return EVALUATORS.map((e) => e.type);
}

export function getEvaluator(type: string): EvaluatorDefinition<any> | undefined {
  return EVALUATORS.find((e) => e.type === type);
}
