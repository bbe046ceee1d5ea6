// Resume may continue a run with an edited workflow only when nothing but the budget changed and
// the budget only grew: anything else would mix trials of two different searches in one run.

import type { Json } from '../types.js';
import type { WorkflowConfig } from '../workflow/types.js';

/** Human-readable reasons why `next` cannot continue a run started with `prev`; empty when it can. */
export function resumeIncompatibilities(prev: WorkflowConfig, next: WorkflowConfig): string[] {
  const problems: string[] = [];
  const strip = (w: WorkflowConfig): Json => {
    const { budget: _b, source: _s, parallel: _p, ...rest } = w;
    return rest as unknown as Json;
  };
  diff(strip(prev), strip(next), '', problems);
  const b0 = prev.budget;
  const b1 = next.budget;
  const shrank = (a: number | undefined, b: number | undefined) => a === undefined ? b !== undefined : b !== undefined && b < a;
  if (shrank(b0.trials, b1.trials)) problems.push(`budget.trials shrank (${b0.trials ?? 'unbounded'} -> ${b1.trials})`);
  if (shrank(b0.time, b1.time)) problems.push(`budget.time shrank (${b0.time ?? 'unbounded'}s -> ${b1.time}s)`);
  if (b1.failures < b0.failures) problems.push(`budget.failures shrank (${b0.failures} -> ${b1.failures})`);
  return problems;
}

function diff(a: Json | undefined, b: Json | undefined, path: string, out: string[]): void {
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) diff(a[k], b[k], path ? `${path}.${k}` : k, out);
    return;
  }
  out.push(`${path || 'workflow'} changed (${JSON.stringify(a) ?? 'absent'} -> ${JSON.stringify(b) ?? 'absent'})`);
}
