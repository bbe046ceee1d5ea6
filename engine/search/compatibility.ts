// Resume may continue a run with an edited workflow only when nothing but the budget changed and
// the budget only grew: anything else would mix trials of two different searches in one run.

import type { Json } from '../core/types.js';
import type { WorkflowConfig } from '../core/workflow.js';

/** Human-readable reasons why `next` cannot continue a run started with `prev`; empty when it can. */
export function resumeIncompatibilities(prev: WorkflowConfig, next: WorkflowConfig): string[] {
  const problems: string[] = [];
  // Budgets (the workflow's and each stage's) may only grow; the stages' other sections must not change.
  // Where trials run (parallel, executor) may change: it does not change what a trial computes.
  const strip = (w: WorkflowConfig): Json => {
    const { budget: _b, source: _s, parallel: _p, executor: _x, stages, ...rest } = w;
    const out = rest as unknown as Record<string, Json>;
    if (stages) out.stages = stages.map(({ budget: _sb, ...st }) => st) as unknown as Json;
    return out as Json;
  };
  diff(strip(prev), strip(next), '', problems);
  budgetShrank(prev.budget, next.budget, 'budget', problems);
  if (prev.stages && next.stages && prev.stages.length === next.stages.length) {
    prev.stages.forEach((st, i) => budgetShrank(st.budget, next.stages![i].budget, `stages[${i}].budget`, problems));
  }
  return problems;
}

function budgetShrank(
  b0: WorkflowConfig['budget'],
  b1: WorkflowConfig['budget'],
  at: string,
  problems: string[],
): void {
  const shrank = (a: number | undefined, b: number | undefined) =>
    a === undefined ? b !== undefined : b !== undefined && b < a;
  if (shrank(b0.trials, b1.trials)) problems.push(`${at}.trials shrank (${b0.trials ?? 'unbounded'} -> ${b1.trials})`);
  if (shrank(b0.time, b1.time)) problems.push(`${at}.time shrank (${b0.time ?? 'unbounded'}s -> ${b1.time}s)`);
  if (shrank(b0.stageTime, b1.stageTime))
    problems.push(`${at}.time shrank (${b0.stageTime ?? 'unbounded'}s -> ${b1.stageTime}s)`);
  if (b1.failures < b0.failures) problems.push(`${at}.failures shrank (${b0.failures} -> ${b1.failures})`);
}

function diff(a: Json | undefined, b: Json | undefined, path: string, out: string[]): void {
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) diff(a[k], b[k], path ? `${path}.${k}` : k, out);
    return;
  }
  out.push(`${path || 'workflow'} changed (${JSON.stringify(a) ?? 'absent'} -> ${JSON.stringify(b) ?? 'absent'})`);
}
