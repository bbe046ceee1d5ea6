// A supernet search as one pool job: the run's data (the same split every trial sees), the supernet
// of the space, the bilevel loop, the derived architectures. Runs in a pool worker (worker.ts
// dispatches jobs of type 'supernet' here) or in-process (tests, the bench).

import * as tf from '@tensorflow/tfjs';
import { FatalError, TrialError } from '../../core/errors.js';
import { deriveSeed } from '../../core/rng.js';
import type { Json } from '../../core/types.js';
import type { BackendName } from '../backend.js';
import { prepareData } from '../datasets/prepare.js';
import { CellSupernet, type Supernet } from './supernet.js';
import { collapseReason, deriveCells, deriveFromScores, softmaxRows } from './derive.js';
import { ChainSupernet, chainCollapseReason, deriveChains } from './chain.js';
import { resolveDarts, searchSupernet, type SearchData, type SupernetSearchOutcome } from './search.js';
import type { SupernetHooks, SupernetJob, SupernetResult } from './types.js';
import type { SupernetRequest } from '../../core/supernet.js';
import { runOneShotJob } from '../oneshot/job.js';

export type { SupernetHooks } from './types.js';

export async function runSupernetJob(
  job: SupernetJob,
  backend: BackendName,
  hooks: SupernetHooks,
): Promise<SupernetResult> {
  const request = job.request;
  if (request.method === 'enas' || request.method === 'spos') return runOneShotJob(job, request, backend, hooks);
  const t0 = performance.now();
  const { space } = job;
  const o = (request as SupernetRequest).options;
  const r = resolveDarts(o);
  const data = prepareData(job.dataset, space, job.dataSeed, 1);
  if (data.train.categorical) {
    throw new FatalError(
      `darts does not search tables with categorical columns (${job.dataset.source}): use another strategy`,
    );
  }
  if (data.train.task === 'regression') {
    // the supernet's bilevel loop and its derivation score candidates by cross-entropy and accuracy
    throw new FatalError(
      `darts searches classification tasks only; ${job.dataset.source} is a regression task: use another strategy`,
    );
  }
  const t = data.tensors;
  let half: tf.Tensor[] = [];
  let net: Supernet | undefined;
  tf.engine().startScope();
  try {
    let sd: SearchData = {
      xTrain: t.xTrain,
      yTrain: t.yTrain,
      xAlpha: t.xVal,
      yAlpha: t.yVal,
      xVal: t.xVal,
      yVal: t.yVal,
    };
    if (r.alpha_data === 'train-half') {
      // DARTS' own protocol: weights on one half of the training split, alphas on the other
      const n = t.xTrain.shape[0];
      const m = Math.floor(n / 2);
      half = [
        tf.slice(t.xTrain, 0, m),
        tf.slice(t.yTrain, 0, m),
        tf.slice(t.xTrain, m, n - m),
        tf.slice(t.yTrain, m, n - m),
      ];
      sd = { ...sd, xTrain: half[0], yTrain: half[1] as tf.Tensor2D, xAlpha: half[2], yAlpha: half[3] as tf.Tensor2D };
    }
    if (space.kind === 'chain') {
      const chain = new ChainSupernet({
        config: space,
        classes: data.train.classes,
        seed: deriveSeed(job.seed, 'supernet'),
      });
      net = chain;
      const out = await searchSupernet(chain, sd, o, job.seed, {
        cancelled: hooks.cancelled,
        ...(hooks.onEpoch ? { onEpoch: hooks.onEpoch } : {}),
        derive: (alpha) => {
          const archs = deriveChains(chain, softmaxRows(alpha), r.candidates);
          return { archs, collapsed: chainCollapseReason(archs[0]) };
        },
        deriveFromScores: (scores) => deriveChains(chain, scores, r.candidates),
      });
      return result(out, chain);
    }
    const skeleton = o.skeleton ?? space.skeleton ?? { channels: 16, cells: 1, stages: 2 };
    net = new CellSupernet({
      nodes: space.nodes,
      ops: space.ops,
      inputShape: data.inputShape,
      classes: data.train.classes,
      skeleton,
      seed: deriveSeed(job.seed, 'supernet'),
    });
    const ops = space.ops;
    const deriveOptions = {
      nodes: space.nodes,
      ops,
      candidates: r.candidates,
      ...(o.inputs_per_node !== undefined ? { inputsPerNode: o.inputs_per_node } : {}),
    };
    const out = await searchSupernet(net, sd, o, job.seed, {
      cancelled: hooks.cancelled,
      ...(hooks.onEpoch ? { onEpoch: hooks.onEpoch } : {}),
      derive: (alpha) => {
        const cells = deriveCells(alpha, deriveOptions);
        return { archs: cells.map((c) => ({ ops: c }) as Json), collapsed: collapseReason(cells[0], r.max_skip) };
      },
      deriveFromScores: (scores) => deriveFromScores(scores, deriveOptions).map((c) => ({ ops: c }) as Json),
    });
    return result(out, net);
  } catch (e) {
    if (e instanceof TrialError || e instanceof FatalError) throw e;
    throw new TrialError(
      `supernet search failed: ${e instanceof Error ? e.message : String(e)}`,
      !/diverged/.test(String(e)),
    );
  } finally {
    net?.dispose();
    tf.dispose(half);
    tf.engine().endScope();
  }

  function result(out: SupernetSearchOutcome, net: Supernet): SupernetResult {
    return {
      type: 'supernet',
      cancelled: out.cancelled,
      metrics: out.metrics,
      curve: out.curve,
      rows: net.rows,
      columns: net.columns,
      alphas: out.alphas,
      derivedFrom: out.derivedFrom,
      derived: out.derived,
      stop: out.stop,
      ...(out.scores ? { scores: out.scores } : {}),
      backend,
      seconds: (performance.now() - t0) / 1000,
    };
  }
}
