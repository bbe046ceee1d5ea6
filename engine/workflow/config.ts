// Turns checked, defaulted workflow data into the WorkflowConfig the engine uses: the defaults that
// depend on the machine or on parsing (parallel, durations), objectives and stages normalised, and
// where the workflow came from.

import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { defaultMode } from '../core/task.js';
import type { Objective } from '../core/types.js';
import { parseDuration } from './duration.js';
import type { BudgetConfig, StageConfig, WorkflowConfig } from '../core/workflow.js';

type Obj = Record<string, unknown>;

/** `{metric, mode}` or a list -> the primary objective, and the list when there are several. */
export function normaliseObjective(o: unknown): { objective: Objective; objectives?: Objective[] } {
  const one = (x: unknown): Objective => {
    const v = (x ?? {}) as Partial<Objective>;
    const metric = v.metric ?? 'accuracy';
    return { metric, mode: v.mode ?? defaultMode(metric) };
  };
  if (Array.isArray(o)) {
    const list = o.map(one);
    return list.length > 1 ? { objective: list[0], objectives: list } : { objective: list[0] };
  }
  return { objective: one(o) };
}

export function toConfig(
  data: Record<string, unknown>,
  file: string,
  text: string,
  baseTexts: string[] = [],
): WorkflowConfig {
  const budget = data.budget as BudgetConfig & { time?: number | string };
  const time = budget.time === undefined ? undefined : parseDuration(budget.time);
  const top = normaliseObjective(data.objective);
  const { stages: rawStages, objective: _o, extends: _e, ...rest } = data;
  const config = {
    ...rest,
    ...top,
    budget: { ...budget, ...(time === undefined ? {} : { time }) },
    parallel: (data.parallel as number | undefined) ?? availableParallelism(),
    source: { file, dir: dirname(file), text, hash: hashOf(text, baseTexts) },
  } as unknown as WorkflowConfig;
  if (Array.isArray(rawStages)) {
    config.stages = (rawStages as Obj[]).map((st): StageConfig => {
      const obj =
        st.objective !== undefined
          ? normaliseObjective(st.objective)
          : { objective: config.objective, ...(config.objectives ? { objectives: config.objectives } : {}) };
      const b = { ...(st.budget as Obj | undefined) } as Obj;
      const stageTime = b.time === undefined ? undefined : parseDuration(b.time as number | string);
      delete b.time;
      return {
        name: st.name as string,
        ...(st.from ? { from: st.from as StageConfig['from'] } : {}),
        ...obj,
        space: (st.space ?? config.space) as StageConfig['space'],
        strategy: (st.strategy ?? config.strategy) as StageConfig['strategy'],
        evaluation: (st.evaluation ?? config.evaluation) as StageConfig['evaluation'],
        // budget.time bounds the whole run; trials, failures and the stage's own time are per stage
        budget: {
          ...config.budget,
          ...(b as Partial<BudgetConfig>),
          ...(stageTime === undefined ? {} : { stageTime }),
        },
      };
    });
  }
  // The schema and the checks guarantee the shape.
  return config;
}

function hashOf(text: string, baseTexts: string[]): string {
  const h = createHash('sha256').update(text);
  for (const t of baseTexts) h.update('\0extends\0').update(t);
  return h.digest('hex');
}
