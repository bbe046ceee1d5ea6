// After a run (or a session of it) ends: the ranking quality of every stage whose strategy scored its
// proposals under shared weights (enas, spos), stored in the run's info as
// `ranking: [{ stage, n, kendall_tau, spearman_rho, rank_check }]`, for `nas status` and the report.

import { rankingQuality, type StageRanking } from '../core/ranking.js';
import { stageWorkflow } from '../core/stages.js';
import type { JsonObject } from '../core/types.js';
import type { WorkflowConfig } from '../core/workflow.js';
import type { Store } from '../store/store.js';

export function recordRanking(store: Store, runId: number, wf: WorkflowConfig): StageRanking[] {
  const stages = wf.stages?.length ? wf.stages.map((st) => ({ name: st.name, wf: stageWorkflow(wf, st) })) : [];
  const list = stages.length ? stages : [{ name: '', wf }];
  const out: StageRanking[] = [];
  for (const st of list) {
    const q = rankingQuality(st.wf.objective, store.trials(runId, st.name));
    if (q) out.push({ stage: st.name, ...q });
  }
  if (out.length > 0) store.setRunInfo(runId, { ranking: out as unknown as JsonObject[] });
  return out;
}
