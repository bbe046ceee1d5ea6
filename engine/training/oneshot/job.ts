// An ENAS or SPOS supernet search as one pool job (dispatched from darts/job.ts, which the pool
// worker runs for every supernet trial): the run's data split, the DARTS supernet of the space,
// the single-path search, the top architectures with their shared-weight scores.

import * as tf from '@tensorflow/tfjs';
import { FatalError, TrialError } from '../../core/errors.js';
import { deriveSeed } from '../../core/rng.js';
import type { OneShotRequest } from '../../core/supernet.js';
import type { BackendName } from '../backend.js';
import { prepareData } from '../datasets/prepare.js';
import { ChainSupernet } from '../darts/chain.js';
import { CellSupernet, type Supernet } from '../darts/supernet.js';
import type { SupernetHooks, SupernetJob, SupernetResult } from '../darts/types.js';
import { searchOneShot } from './search.js';

export async function runOneShotJob(
  job: SupernetJob,
  request: OneShotRequest,
  backend: BackendName,
  hooks: SupernetHooks,
): Promise<SupernetResult> {
  const t0 = performance.now();
  const { space } = job;
  const o = request.options;
  const data = prepareData(job.dataset, space, job.dataSeed, 1);
  const t = data.tensors;
  let net: Supernet | undefined;
  tf.engine().startScope();
  try {
    const seed = deriveSeed(job.seed, 'supernet');
    net =
      space.kind === 'chain'
        ? new ChainSupernet({ config: space, classes: data.train.classes, seed })
        : new CellSupernet({
            nodes: space.nodes,
            ops: space.ops,
            inputShape: data.inputShape,
            classes: data.train.classes,
            skeleton: o.skeleton ?? space.skeleton ?? { channels: 16, cells: 1, stages: 2 },
            seed,
          });
    const method = request.method === 'enas' && o.controller === 'random' ? 'random-ws' : request.method;
    let policy;
    if (method === 'enas') {
      if (!hooks.policy) throw new FatalError('enas: this worker cannot build the controller');
      policy = hooks.policy(net.columns, deriveSeed(job.seed, 'controller'), o);
    }
    const out = await searchOneShot(
      method,
      net,
      { xTrain: t.xTrain, yTrain: t.yTrain, xVal: t.xVal, yVal: t.yVal },
      o,
      job.seed,
      { cancelled: hooks.cancelled, ...(hooks.onEpoch ? { onEpoch: hooks.onEpoch } : {}) },
      policy,
    );
    return {
      type: 'supernet',
      cancelled: out.cancelled,
      metrics: { ...out.metrics, supernet_scored: out.scored },
      curve: out.curve,
      rows: net.rows,
      columns: net.columns,
      alphas: [],
      derivedFrom: out.curve.length,
      derived: out.top.map((p) => p.arch),
      wsScores: out.top.map((p) => p.score),
      check: out.check.map((p) => ({ arch: p.arch, score: p.score })),
      stop: out.stop,
      backend,
      seconds: (performance.now() - t0) / 1000,
    };
  } catch (e) {
    if (e instanceof TrialError || e instanceof FatalError) throw e;
    throw new TrialError(
      `${request.method} supernet search failed: ${e instanceof Error ? e.message : String(e)}`,
      !/diverged/.test(String(e)),
    );
  } finally {
    net?.dispose();
    tf.engine().endScope();
  }
}
