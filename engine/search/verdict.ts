// What a search that ran to its end amounts to. A run in which every trial failed is not "complete":
// it ends `failed` with the error most of its trials had, so scripts see exit 1, not 0.

import type { Store } from '../store/store.js';
import type { SearchOutcome } from './loop.js';

export function verdict(store: Store, runId: number, outcome: SearchOutcome): SearchOutcome {
  if (outcome.status !== 'complete') return outcome;
  const c = store.trialCounts(runId);
  if (c.failed === 0 || c.complete + c.pruned > 0) return outcome;
  // errors that differ only in the candidate (its key, numbers) are the same error
  const groups = new Map<string, { example: string; n: number }>();
  for (const { trial } of store.allTrials(runId)) {
    if (trial.state !== 'failed') continue;
    const error = trial.error ?? '';
    const shape = error.replace(/\|[^\s]*\|/g, '<arch>').replace(/\d+(\.\d+)?/g, 'N');
    const g = groups.get(shape) ?? { example: error, n: 0 };
    g.n++;
    groups.set(shape, g);
  }
  const { example: error, n } = [...groups.values()].sort((a, b) => b.n - a.n)[0];
  return {
    ...outcome,
    status: 'failed',
    reason: `every trial failed (${c.failed}); the most common error (${n} of them): ${firstLine(error)}`,
  };
}

function firstLine(s: string): string {
  const line = s.split('\n')[0];
  return line.length > 300 ? `${line.slice(0, 300)}...` : line || '(no message)';
}
