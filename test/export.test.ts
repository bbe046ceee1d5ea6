// nas export: the best trial's trained model comes out as model.json + weights.bin + arch.json, and
// reloaded (custom IOHandler) it reproduces the trial's validation accuracy exactly on the same split.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadWorkflow } from '../engine/workflow/index.js';
import { Store } from '../engine/store/store.js';
import { startRun } from '../engine/search/run.js';
import { deriveSeed } from '../engine/core/rng.js';
import { main } from '../engine/cli/main.js';
import { initBackend } from '../engine/training/backend.js';
import { loadModelFrom } from '../engine/training/model/files.js';
import { evaluateModel } from '../engine/evaluation/train/core.js';
import { prepareData } from '../engine/training/datasets/prepare.js';
import { FIXTURES, scratch } from './helpers/paths.js';

function capture() {
  let text = '';
  const stream = new Writable({ write: (c, _e, cb) => ((text += c.toString()), cb()) });
  return { stream, text: () => text };
}

test('export the best trained model and reproduce its validation accuracy', async () => {
  const dir = scratch('export');
  try {
    const wf = loadWorkflow(join(FIXTURES, 'train', 'iris.yaml'));
    const storePath = join(dir, 's.sqlite');
    const store = Store.open(storePath);
    const summary = await startRun(store, wf);
    store.close();
    assert.is(summary.status, 'complete', summary.reason);
    const out = join(dir, 'out');
    const stdout = capture();
    const stderr = capture();
    const code = await main(['export', '--store', storePath, '--out', out, '--json'], {
      stdout: stdout.stream,
      stderr: stderr.stream,
    });
    assert.is(code, 0, stderr.text());
    const printed = JSON.parse(stdout.text()) as { trial: number };
    assert.is(printed.trial, summary.best!.number);
    for (const f of ['model.json', 'weights.bin', 'arch.json']) assert.ok(existsSync(join(out, f)), f);
    const arch = JSON.parse(readFileSync(join(out, 'arch.json'), 'utf8'));
    assert.equal(arch.arch, summary.best!.arch);
    assert.is(arch.key, summary.best!.key);
    assert.equal(arch.metrics, summary.best!.metrics);
    assert.equal(arch.input_shape, [4]);
    assert.is(arch.class_names.length, 3);
    assert.is(arch.scaling.mean.length, 4, 'tabular z-scoring travels with the model');
    assert.is(arch.workflow, 'train-iris');

    await initBackend('wasm');
    const model = await loadModelFrom(out);
    const data = prepareData(wf.dataset!, wf.space, deriveSeed(wf.seed, 'dataset'));
    const { accuracy, loss } = evaluateModel(model, data.tensors.xVal, data.tensors.yVal, 256);
    assert.is(accuracy, summary.best!.metrics.accuracy, 'same accuracy on the same split');
    assert.ok(Math.abs(loss - summary.best!.metrics.loss) < 1e-5, `loss ${loss} vs ${summary.best!.metrics.loss}`);
    model.dispose();

    // a trial whose model was not kept, and a missing trial, are clear errors
    const err = capture();
    const kept = new Set(['1', '2', '3', '4'].filter((t) => existsSync(join(storePath + '.models', '1', t))));
    const dropped = ['1', '2', '3', '4'].find((t) => !kept.has(t))!;
    assert.is(
      await main(['export', '--store', storePath, '--trial', dropped, '--out', join(dir, 'x')], {
        stdout: capture().stream,
        stderr: err.stream,
      }),
      2,
    );
    assert.match(err.text(), /no trained model of trial/);
    assert.is(
      await main(['export', '--store', storePath, '--trial', '99'], {
        stdout: capture().stream,
        stderr: capture().stream,
      }),
      2,
    );

    // export never overwrites model.json in a non-empty --out without --force, and never writes into the store's models
    writeFileSync(join(out, 'model.json'), 'mine');
    const again = capture();
    const cli = (args: string[]) => main(args, { stdout: capture().stream, stderr: again.stream });
    assert.is(await cli(['export', '--store', storePath, '--out', out]), 2);
    assert.match(again.text(), /model\.json exists already; choose another --out, or add --force/);
    assert.is(readFileSync(join(out, 'model.json'), 'utf8'), 'mine');
    assert.is(await cli(['export', '--store', storePath, '--out', out, '--force']), 0);
    assert.is.not(readFileSync(join(out, 'model.json'), 'utf8'), 'mine');
    const models = join(storePath + '.models', '1', String(summary.best!.number));
    assert.is(await cli(['export', '--store', storePath, '--out', models, '--force']), 2);
    assert.match(again.text(), /is an input of this command/);
    // --out onto an existing file: one line, exit 1
    const plain = join(dir, 'plain.txt');
    writeFileSync(plain, 'x');
    const before = again.text().length;
    assert.is(await cli(['export', '--store', storePath, '--out', plain]), 1);
    const said = again.text().slice(before);
    assert.match(said, /^nas: cannot write .*plain\.txt/);
    assert.is(said.trim().split('\n').length, 1, said);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
