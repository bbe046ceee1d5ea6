// A small synthetic benchmark for multi-objective and constraint tests: every architecture of a
// 3-node cell space with ops a, b, c (27 cells) with a hash-derived accuracy and parameter count, written
// as a benchmark table next to a workflow that uses it.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deriveSeed } from '../../engine/core/rng.js';
import { createSpace } from '../../engine/space/index.js';

export const SYNTH_SPACE = { kind: 'cell' as const, nodes: 3, ops: ['a', 'b', 'c'] };

export interface SynthRow {
  key: string;
  accuracy: number;
  params: number;
}

export function synthRows(): SynthRow[] {
  const space = createSpace(SYNTH_SPACE);
  return [...space.enumerate()].map((arch) => {
    const key = space.key(arch);
    return { key, accuracy: 50 + (deriveSeed(1, key) % 5000) / 100, params: 1000 + (deriveSeed(2, key) % 90) * 1000 };
  });
}

/** Writes the table and a workflow (`extra` YAML appended) into `dir`; returns the workflow path. */
export function writeSynthWorkflow(dir: string, name: string, extra: string): string {
  const rows = synthRows();
  writeFileSync(
    join(dir, 'synth.csv'),
    'arch,accuracy,params\n' + rows.map((r) => `${r.key},${r.accuracy},${r.params}`).join('\n') + '\n',
  );
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}\nseed: 4\nspace: { kind: cell, nodes: 3, ops: [a, b, c] }\nevaluation: { type: benchmark, table: synth.csv, metric: accuracy }\nparallel: 2\n${extra}`,
  );
  return file;
}

/** The exact Pareto front (max accuracy, min params) by brute force, as a sorted list of keys. */
export function bruteFront(rows: SynthRow[]): string[] {
  return rows
    .filter(
      (a) =>
        !rows.some(
          (b) => b.accuracy >= a.accuracy && b.params <= a.params && (b.accuracy > a.accuracy || b.params < a.params),
        ),
    )
    .map((r) => r.key)
    .sort();
}
