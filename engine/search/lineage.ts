// Lineage: where a trial came from. A stage seeded `from` an earlier one records the earlier trial
// (info.from = { stage, trial, key }); an evolutionary strategy records the parent a child was mutated
// from (info.parent = its key, in the same stage). Following both leads from any trial back to its
// first ancestor, across stages.

import type { StagedTrial } from '../store/store.js';
import type { JsonObject } from '../core/types.js';

export interface LineageStep {
  stage: string;
  number: number;
  key: string;
  /** How this step relates to the previous (younger) one: the first step is the trial itself. */
  via: 'self' | 'from' | 'parent';
}

/** The chain from trial `number` of `stage` back to its oldest known ancestor (the trial itself first). */
export function lineageOf(all: readonly StagedTrial[], stage: string, number: number): LineageStep[] {
  const byNumber = new Map(all.map((s) => [`${s.stage}\0${s.trial.number}`, s]));
  const byKey = new Map(all.map((s) => [`${s.stage}\0${s.trial.key}`, s]));
  const out: LineageStep[] = [];
  const seen = new Set<string>();
  let cur = byNumber.get(`${stage}\0${number}`);
  let via: LineageStep['via'] = 'self';
  while (cur) {
    const id = `${cur.stage}\0${cur.trial.number}`;
    if (seen.has(id)) break;
    seen.add(id);
    out.push({ stage: cur.stage, number: cur.trial.number, key: cur.trial.key, via });
    const info = cur.trial.info ?? {};
    const from = info.from as JsonObject | undefined;
    if (from && typeof from.stage === 'string' && typeof from.trial === 'number') {
      cur = byNumber.get(`${from.stage}\0${from.trial}`);
      via = 'from';
    } else if (typeof info.parent === 'string' && info.parent !== cur.trial.key) {
      cur = byKey.get(`${cur.stage}\0${info.parent}`);
      via = 'parent';
    } else cur = undefined;
  }
  return out;
}

/** Edges of the whole run's lineage graph: child -> parent (same stage) or seed -> its earlier trial. */
export function lineageEdges(
  all: readonly StagedTrial[],
): { child: { stage: string; number: number }; parent: { stage: string; number: number }; via: 'from' | 'parent' }[] {
  const byKey = new Map(all.map((s) => [`${s.stage}\0${s.trial.key}`, s]));
  const edges: ReturnType<typeof lineageEdges> = [];
  for (const s of all) {
    const info = s.trial.info ?? {};
    const from = info.from as JsonObject | undefined;
    if (from && typeof from.stage === 'string' && typeof from.trial === 'number') {
      edges.push({
        child: { stage: s.stage, number: s.trial.number },
        parent: { stage: from.stage, number: from.trial },
        via: 'from',
      });
    } else if (typeof info.parent === 'string') {
      const p = byKey.get(`${s.stage}\0${info.parent}`);
      if (p && p.trial.number !== s.trial.number)
        edges.push({
          child: { stage: s.stage, number: s.trial.number },
          parent: { stage: p.stage, number: p.trial.number },
          via: 'parent',
        });
    }
  }
  return edges;
}
