// What `nas status` shows of a run's recorded inputs and environment (table run_inputs), and the
// backends its trials ran on.

import type { RunInput, Store } from '../store/store.js';
import type { JsonObject } from '../core/types.js';

/** The JSON form: files with their hashes (texts left out), the environment, the per-trial backends. */
export function inputsJson(store: Store, runId: number): JsonObject {
  const inputs = store.inputs(runId);
  return {
    files: inputs.filter((i) => i.kind !== 'env').map((i) => ({ kind: i.kind, file: i.name, sha256: i.hash })),
    environment: Object.fromEntries(inputs.filter((i) => i.kind === 'env').map((i) => [i.name, i.value])),
    backends: trialBackends(store, runId),
  };
}

/** Indented text lines for `nas status`; none for a run stored before inputs were recorded. */
export function inputLines(store: Store, runId: number): string[] {
  const inputs = store.inputs(runId);
  if (inputs.length === 0) return [];
  const files = inputs.filter((i) => i.kind !== 'env');
  const env = inputs.filter((i) => i.kind === 'env');
  const lines = files.map((i: RunInput) => `  ${i.kind}: ${i.name} (sha256 ${(i.hash ?? '').slice(0, 12)})`);
  lines.push(`  environment: ${env.map((i) => `${i.name} ${i.value}`).join(', ')}`);
  const backends = Object.entries(trialBackends(store, runId));
  if (backends.length > 0)
    lines.push(`  trial backends: ${backends.map(([b, n]) => `${b} (${n} trial${n === 1 ? '' : 's'})`).join(', ')}`);
  return lines;
}

function trialBackends(store: Store, runId: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { trial } of store.allTrials(runId)) {
    const b = trial.info?.backend;
    if (typeof b === 'string') out[b] = (out[b] ?? 0) + 1;
  }
  return out;
}
