// Stand-alone accuracy of cells with several training seeds, for the weight-sharing benches: on
// builtin:digits a cell's validation accuracy after 10 epochs moves by 0.01-0.05 from one seed to
// the next (an unlucky last epoch), more than the gap between most cells, so one training per cell
// would let a difference of a few of the 360 validation images decide whether a derived cell
// "beats the random median". Every cell here (derived, random, random-ws) gets the same training
// (the workflow's evaluation options and data split) with the same seeds, through the train pool.

import { TrainPool } from '../../engine/evaluation/train/pool.js';
import { resolveSettings, type TrainOptions } from '../../engine/evaluation/train/options.js';
import { threadsFor } from '../../engine/evaluation/train/evaluator.js';
import { deriveSeed } from '../../engine/core/rng.js';
import type { Arch } from '../../engine/core/types.js';
import type { WorkflowConfig } from '../../engine/core/workflow.js';
import type { BackendChoice } from '../../engine/training/backend.js';
import { mean } from './util.js';

export interface StandAlone {
  key: string;
  /** Validation accuracy per seed. */
  accuracies: number[];
  mean: number;
}

/** Trains every (cell, seed) pair; seed s of a cell is the same whichever run proposed the cell. */
export async function standAlone(
  wf: WorkflowConfig,
  cells: readonly { key: string; arch: Arch }[],
  seeds: number,
): Promise<Map<string, StandAlone>> {
  const options = wf.evaluation as TrainOptions;
  const backend: BackendChoice = options.backend ?? 'auto';
  const pool = new TrainPool({ threads: threadsFor(backend, wf.parallel) });
  const distinct = [...new Map(cells.map((c) => [c.key, c])).values()];
  try {
    const out = new Map<string, StandAlone>();
    await Promise.all(
      distinct.map(async (cell, i) => {
        const accuracies = await Promise.all(
          Array.from({ length: seeds }, async (_, s) => {
            const r = await pool.train({
              type: 'train',
              trial: i + 1,
              attempt: 1,
              arch: cell.arch,
              key: cell.key,
              seed: deriveSeed(wf.seed, 'standalone', s),
              space: wf.space,
              dataset: wf.dataset!,
              dataSeed: deriveSeed(wf.seed, 'dataset'),
              backend,
              settings: resolveSettings(options, cell.arch),
              returnModel: false,
            });
            return r.metrics.accuracy;
          }),
        );
        out.set(cell.key, { key: cell.key, accuracies, mean: mean(accuracies) });
      }),
    );
    return out;
  } finally {
    await pool.close();
  }
}
