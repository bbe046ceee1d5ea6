// json:PATH accepts two layouts:
//  1. { "x": [...samples], "y": [...labels] } — each sample a number array, flat ([f1, f2, ...]: tabular,
//     standardised when split) or nested ([[...], ...]: an image; its shape is the feature shape, and a
//     2-D [h, w] sample gets a channel axis, [h, w, 1]). Nested samples are used as given.
//  2. [ { "feat1": 1.5, "feat2": 3, ..., "<label>": "cat" }, ... ] — records; the label key is the
//     dataset's `label` (default "label"), every other key a numeric feature, in the first record's order.
// Labels may be numbers or strings.

import { FatalError, errorMessage } from '../../core/errors.js';
import { readText } from './files.js';
import type { RawDataset } from './types.js';

function shapeOf(sample: unknown): number[] | null {
  if (typeof sample === 'number') return [];
  if (!Array.isArray(sample) || sample.length === 0) return null;
  const inner = shapeOf(sample[0]);
  return inner ? [sample.length, ...inner] : null;
}

function flatten(sample: unknown, shape: number[], out: Float32Array, offset: number, where: () => string): number {
  if (shape.length === 0) {
    if (typeof sample !== 'number' || !Number.isFinite(sample)) {
      throw new FatalError(`${where()}: not a number: ${JSON.stringify(sample)}`);
    }
    out[offset] = sample;
    return offset + 1;
  }
  if (!Array.isArray(sample) || sample.length !== shape[0]) {
    throw new FatalError(`${where()}: expected an array of ${shape[0]} (sample shape [${shape.join(', ')}])`);
  }
  for (const s of sample) offset = flatten(s, shape.slice(1), out, offset, where);
  return offset;
}

function fromXY(doc: { x: unknown; y: unknown }, file: string): RawDataset {
  const { x, y } = doc;
  if (!Array.isArray(x) || !Array.isArray(y)) throw new FatalError(`${file}: "x" and "y" must be arrays`);
  if (x.length === 0) throw new FatalError(`${file}: the file is empty (no samples in "x")`);
  if (x.length !== y.length) throw new FatalError(`${file}: ${x.length} samples in "x" but ${y.length} labels in "y"`);
  const shape = shapeOf(x[0]);
  if (!shape || shape.length === 0) throw new FatalError(`${file}: x[0] is not a non-empty array of numbers`);
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(x.length * size);
  x.forEach((s, i) => flatten(s, shape, out, i * size, () => `${file}: x[${i}]`));
  y.forEach((l, i) => {
    if (typeof l !== 'number' && typeof l !== 'string')
      throw new FatalError(`${file}: y[${i}] is not a number or a string`);
  });
  const featureShape = shape.length === 2 ? [...shape, 1] : shape;
  return { x: out, labels: y as (string | number)[], featureShape, standardize: shape.length === 1 };
}

function fromRecords(records: unknown[], file: string, label: string): RawDataset {
  if (records.length === 0) throw new FatalError(`${file}: the file is empty (no records)`);
  const first = records[0];
  if (typeof first !== 'object' || first === null || Array.isArray(first)) {
    throw new FatalError(`${file}: records must be objects like {"feature": 1.5, "${label}": "a"}`);
  }
  const keys = Object.keys(first);
  if (!keys.includes(label))
    throw new FatalError(`${file}: no label key "${label}" in record 0; its keys are: ${keys.join(', ')}`);
  const featureNames = keys.filter((k) => k !== label);
  const d = featureNames.length;
  if (d === 0) throw new FatalError(`${file}: no feature keys besides the label "${label}"`);
  const x = new Float32Array(records.length * d);
  const labels: (string | number)[] = new Array(records.length);
  records.forEach((rec, i) => {
    const r = rec as Record<string, unknown>;
    if (typeof rec !== 'object' || rec === null) throw new FatalError(`${file}: record ${i} is not an object`);
    const l = r[label];
    if (typeof l !== 'number' && typeof l !== 'string')
      throw new FatalError(`${file}: record ${i}: label "${label}" is missing or not a number/string`);
    labels[i] = l;
    featureNames.forEach((k, j) => {
      const v = r[k];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new FatalError(`${file}: record ${i}, key "${k}" is not a number: ${JSON.stringify(v)}`);
      }
      x[i * d + j] = v;
    });
  });
  return { x, labels, featureShape: [d], standardize: true, featureNames };
}

export function loadJson(file: string, label: string): RawDataset {
  const text = readText(file);
  if (text.trim() === '') throw new FatalError(`${file}: the file is empty`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new FatalError(`${file}: invalid JSON (${errorMessage(e)})`, { cause: e });
  }
  if (Array.isArray(doc)) return fromRecords(doc, file, label);
  if (doc && typeof doc === 'object' && 'x' in doc && 'y' in doc)
    return fromXY(doc as { x: unknown; y: unknown }, file);
  throw new FatalError(`${file}: expected {"x": [...], "y": [...]} or an array of records with a "${label}" key`);
}
