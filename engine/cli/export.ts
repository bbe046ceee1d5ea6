// nas export [--store PATH] [--run N] [--trial N] [--out DIR] [--json]: copies a trained model (the
// best complete trial of the latest run by default) out of the store's model directory, with an
// arch.json describing it (architecture, metrics, input shape, class names, input scaling).

import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Store } from '../store/store.js';
import type { WorkflowConfig } from '../core/workflow.js';
import { MODEL_FILE, WEIGHTS_FILE } from '../training/model/files.js';
import { META_FILE, trialModelDir } from '../evaluation/train/models.js';
import { bestTrials } from './inspect.js';
import { finalStage } from '../core/stages.js';
import { line, UsageError, type Io } from './io.js';
import { locateStore } from './locate-store.js';
import { claimOutputs, copyOutput, makeOutputDir, writeOutput } from './output.js';

const ARCH_FILE = 'arch.json';

export interface ExportFlags {
  store?: string;
  run?: number;
  trial?: number;
  out?: string;
  json?: boolean;
  force?: boolean;
}

export function exportCommand(flags: ExportFlags, io: Io, cwd = process.cwd()): number {
  const store = Store.open(locateStore(flags.store, cwd), 'read');
  try {
    const run = flags.run !== undefined ? store.getRun(flags.run) : store.latestRun();
    if (!run)
      throw new UsageError(
        flags.run !== undefined ? `no run ${flags.run} in ${store.path}` : `no run in ${store.path}`,
      );
    const wf = run.config as unknown as WorkflowConfig;
    const stage = finalStage(wf).stage; // multi-stage runs: the final stage's trials and models
    const trials = store.trials(run.id, stage);
    let trial;
    if (flags.trial !== undefined) {
      trial = trials.find((t) => t.number === flags.trial);
      if (!trial) throw new UsageError(`run ${run.id} has no trial ${flags.trial}`);
      if (trial.state !== 'complete')
        throw new UsageError(`trial ${trial.number} of run ${run.id} is ${trial.state}, not complete`);
    } else {
      trial = bestTrials(store, run, 1)[0];
      if (!trial) throw new UsageError(`run ${run.id} has no complete trial to export`);
    }
    const src = trialModelDir(store.path, run.id, trial.number, stage || undefined);
    if (!existsSync(join(src, MODEL_FILE))) {
      throw new UsageError(
        `no trained model of trial ${trial.number} (run ${run.id}) under ${src}: only the best evaluation.keep_models ` +
          `trials of a "train" evaluation are kept (this run's evaluation is "${wf.evaluation.type}")`,
      );
    }
    const out = resolve(cwd, flags.out ?? join('exported', `${wf.name}-run${run.id}-trial${trial.number}`));
    // a non-empty --out once had its model.json replaced without a word
    claimOutputs(
      [MODEL_FILE, WEIGHTS_FILE, ARCH_FILE].map((f) => join(out, f)),
      { force: flags.force, inputs: [store.path, src] },
    );
    makeOutputDir(out);
    copyOutput(join(src, MODEL_FILE), join(out, MODEL_FILE));
    copyOutput(join(src, WEIGHTS_FILE), join(out, WEIGHTS_FILE));
    const meta = JSON.parse(readFileSync(join(src, META_FILE), 'utf8')) as Record<string, unknown>;
    const tested = store.testResults(run.id, stage).get(trial.number);
    const arch = {
      workflow: wf.name,
      run: run.id,
      trial: trial.number,
      key: trial.key,
      arch: trial.arch,
      metrics: trial.metrics,
      // dataset.split.test: the metrics on the held-out rows, when this trial was tested
      ...(tested ? { test: tested } : {}),
      objective: wf.objective,
      task: meta.task ?? 'classification',
      input_shape: meta.input_shape,
      class_names: meta.class_names,
      // tabular inputs: x' = (x - mean) / std per feature before the model (null for images)
      scaling: meta.scaling ?? null,
      // text inputs: the tokenizer fitted on the training split (nas predict reads raw strings with it)
      vocabulary: meta.vocabulary ?? null,
      // regression: the model predicts (y - mean) / std
      ...(meta.target_scaling ? { target_scaling: meta.target_scaling } : {}),
      // categorical columns: value k of a column's list is id k + 1, any other value id 0
      ...(meta.categorical ? { categorical: meta.categorical } : {}),
      dataset: wf.dataset ?? null,
      training: meta.settings ?? null,
      backend: meta.backend ?? null,
      files: { model: MODEL_FILE, weights: WEIGHTS_FILE },
    };
    writeOutput(join(out, ARCH_FILE), JSON.stringify(arch, null, 2) + '\n');
    if (flags.json)
      line(
        io.stdout,
        JSON.stringify({ run: run.id, trial: trial.number, key: trial.key, metrics: trial.metrics, out }),
      );
    else
      line(
        io.stdout,
        `exported trial ${trial.number} of run ${run.id} (${wf.objective.metric}=${trial.metrics[wf.objective.metric]}) to ${out}`,
      );
    return 0;
  } finally {
    store.close();
  }
}
