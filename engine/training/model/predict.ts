// Classifying raw inputs with an exported model (`nas export` output: model.json, weights.bin and
// arch.json). Text models read strings through the vocabulary saved in arch.json, the one fitted on
// the training split; tabular models read comma-separated numbers and apply the saved scaling.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { FatalError } from '../../core/errors.js';
import { encodeTexts, type Vocabulary } from '../datasets/tokenizer.js';
import './index.js'; // registers the engine's own layers before a model is loaded
import { loadModelFrom, MODEL_FILE } from './files.js';

export interface Prediction {
  input: string;
  label: string;
  /** Class name -> probability. */
  probabilities: Record<string, number>;
}

interface ArchJson {
  input_shape: number[];
  class_names: string[];
  scaling: { mean: number[]; std: number[] } | null;
  vocabulary?: Vocabulary | null;
}

export interface Predictor {
  readonly kind: 'text' | 'tabular';
  predict(inputs: readonly string[]): Prediction[];
  dispose(): void;
}

function readArch(dir: string): ArchJson {
  const file = join(dir, 'arch.json');
  if (!existsSync(join(dir, MODEL_FILE)) || !existsSync(file)) {
    throw new FatalError(
      `${dir}: not an exported model (model.json and arch.json missing); make one with nas export --out DIR`,
    );
  }
  return JSON.parse(readFileSync(file, 'utf8')) as ArchJson;
}

/** Token ids (text) or scaled numbers (tabular) of each input, as one batch. */
function features(arch: ArchJson, inputs: readonly string[]): Float32Array {
  if (arch.vocabulary) return encodeTexts(inputs, arch.vocabulary);
  const d = arch.input_shape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(inputs.length * d);
  inputs.forEach((s, i) => {
    const v = s.split(',').map((c) => Number(c.trim()));
    if (v.length !== d || v.some((n) => !Number.isFinite(n))) {
      throw new FatalError(`input ${i + 1}: expected ${d} comma-separated numbers, got ${JSON.stringify(s)}`);
    }
    v.forEach((n, j) => (x[i * d + j] = arch.scaling ? (n - arch.scaling.mean[j]) / arch.scaling.std[j] : n));
  });
  return x;
}

export async function loadPredictor(dir: string): Promise<Predictor> {
  const arch = readArch(dir);
  if (!arch.vocabulary && arch.input_shape.length !== 1) {
    throw new FatalError(
      `${dir}: the model reads [${arch.input_shape.join(', ')}] inputs; nas predict reads text and tabular models`,
    );
  }
  const model = await loadModelFrom(dir, { compile: false });
  return {
    kind: arch.vocabulary ? 'text' : 'tabular',
    predict(inputs) {
      if (inputs.length === 0) return [];
      const probs = tf.tidy(() => {
        const x = tf.tensor(features(arch, inputs), [inputs.length, ...arch.input_shape]);
        return (model.predict(x) as tf.Tensor).arraySync() as number[][];
      });
      return inputs.map((input, i) => {
        const p = probs[i];
        const best = p.indexOf(Math.max(...p));
        return {
          input,
          label: arch.class_names[best],
          probabilities: Object.fromEntries(arch.class_names.map((c, k) => [c, p[k]])),
        };
      });
    },
    dispose: () => model.dispose(),
  };
}
