// Turns checked, defaulted workflow data into the WorkflowConfig the engine uses: the defaults that
// depend on the machine or on parsing (parallel, durations) and where the workflow came from.

import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { parseDuration } from './duration.js';
import type { BudgetConfig, WorkflowConfig } from './types.js';

export function toConfig(data: Record<string, unknown>, file: string, text: string): WorkflowConfig {
  const budget = data.budget as BudgetConfig & { time?: number | string };
  const time = budget.time === undefined ? undefined : parseDuration(budget.time);
  const config = {
    ...data,
    budget: { ...budget, ...(time === undefined ? {} : { time }) },
    parallel: (data.parallel as number | undefined) ?? availableParallelism(),
    source: { file, dir: dirname(file), text, hash: createHash('sha256').update(text).digest('hex') },
  };
  // The schema and the checks guarantee the shape.
  return config as unknown as WorkflowConfig;
}
