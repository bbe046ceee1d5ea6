// One search of a run (the whole run, or one stage of a multi-stage run): builds the space, strategy
// (with meta-learning and an earlier stage's seeds), pruner, evaluator and the pre-evaluation measuring
// for constraints, then runs the ask/tell loop.

import { FatalError } from '../core/errors.js';
import type { Store } from '../store/store.js';
import type { WarmStart } from '../core/strategy.js';
import type { WorkflowConfig } from '../core/workflow.js';
import { makeEvaluator, makeSpace, makeStrategy } from './components.js';
import { runSearch, type SearchEvent, type SearchOutcome } from './loop.js';
import { prepareMeta } from '../meta/index.js';
import { makePruner } from './pruners.js';
import { makeMeasure } from './measure.js';
import { SeededStrategy, type Seed } from '../../strategies/wrappers/seeded.js';

export interface SearchOptions {
  signal?: AbortSignal;
  onEvent?: (e: SearchEvent) => void;
}

/** Runs (or resumes) the search of `stage` ('' for a single-stage run) with the stage's workflow `wf`. */
export async function searchOnce(
  store: Store,
  runId: number,
  wf: WorkflowConfig,
  stage: string,
  opts: SearchOptions,
  seeds?: Seed[],
): Promise<SearchOutcome> {
  try {
    const space = makeSpace(wf);
    const meta = prepareMeta(wf, space); // meta-learning: priors, warm start, screening (no-op without `meta`)
    let warmStart: WarmStart | undefined = meta.warmStart;
    if (seeds && seeds.length > 0) {
      warmStart = { ...warmStart, archs: [...seeds.map((s) => s.arch), ...(warmStart?.archs ?? [])] };
    }
    let strategy = meta.wrap(makeStrategy(wf, meta.space, warmStart));
    if (seeds) strategy = new SeededStrategy(strategy, seeds);
    const newPruner = () => makePruner(wf.objective, wf.evaluation.early_stopping as Parameters<typeof makePruner>[1]);
    const pruner = newPruner();
    const createdAt = store.getRun(runId)?.createdAt;
    const evaluator = await makeEvaluator(wf, space, {
      id: runId,
      storePath: store.path,
      ...(stage ? { stage } : {}),
      ...(createdAt !== undefined ? { createdAt } : {}),
    });
    try {
      const measure = await makeMeasure(wf, evaluator);
      const constraints = Object.keys(wf.constraints ?? {}).length > 0 ? wf.constraints : undefined;
      return await runSearch({
        store,
        runId,
        stage,
        workflow: wf,
        space,
        strategy,
        evaluator,
        pruner,
        ...(pruner ? { newPruner: () => newPruner()! } : {}),
        signal: opts.signal,
        onEvent: opts.onEvent,
        ...(measure ? { measure } : {}),
        ...(constraints ? { constraints } : {}),
      });
    } finally {
      await evaluator.close();
    }
  } catch (e) {
    // an expected failure (missing data, a broken backend) ends the search with its one-line reason;
    // anything else is a bug and goes up with its stack
    if (e instanceof FatalError) return { status: 'failed', cause: 'fatal', reason: e.message };
    throw e;
  }
}
