// What a stage of a multi-stage workflow is: the run's workflow with the stage's sections. Shared by
// the engine (which runs stages), meta-learning (which learns from each stage) and the reports.

import type { Objective } from './types.js';
import type { StageConfig, WorkflowConfig } from './workflow.js';

/** The workflow one stage runs with: the run's, with the stage's sections. */
export function stageWorkflow(wf: WorkflowConfig, st: StageConfig): WorkflowConfig {
  const { stages: _stages, objectives: _o, ...rest } = wf;
  return {
    ...rest,
    objective: st.objective,
    ...(st.objectives ? { objectives: st.objectives } : {}),
    space: st.space,
    strategy: st.strategy,
    evaluation: st.evaluation,
    budget: st.budget,
  };
}

export function objectivesOf(wf: Pick<WorkflowConfig, 'objective' | 'objectives'>): Objective[] {
  return wf.objectives ?? [wf.objective];
}

/** The stage whose results are the run's results: the last one (for a single-stage run, stage ''). */
export function finalStage(wf: WorkflowConfig): { stage: string; objectives: Objective[]; workflow: WorkflowConfig } {
  const last = wf.stages?.[wf.stages.length - 1];
  if (!last) return { stage: '', objectives: objectivesOf(wf), workflow: wf };
  const sw = stageWorkflow(wf, last);
  return { stage: last.name, objectives: objectivesOf(sw), workflow: sw };
}
