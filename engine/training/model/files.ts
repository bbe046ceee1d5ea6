// A trained model on disk in the tfjs layers-model format (model.json + weights.bin), written and read
// through plain fs and custom tf.io handlers, so it works on every backend (no tfjs-node file://).

import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Json } from '../../core/types.js';

/** Model artifacts as tf.io gives them to a save handler, with the weights as one ArrayBuffer. */
export interface ModelArtifactsJson {
  modelTopology: Json;
  weightSpecs: Json;
  weightData: ArrayBuffer;
  /** Loss, metrics and optimizer config: a reloaded model comes back compiled. */
  trainingConfig?: Json;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
}

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

/** Writes artifacts into `dir` (created) as model.json + weights.bin. */
export function writeModelFiles(dir: string, a: ModelArtifactsJson): void {
  mkdirSync(dir, { recursive: true });
  const modelJson = {
    modelTopology: a.modelTopology,
    format: a.format ?? 'layers-model',
    generatedBy: a.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: a.convertedBy ?? null,
    ...(a.trainingConfig ? { trainingConfig: a.trainingConfig } : {}),
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: a.weightSpecs }],
  };
  writeFileSync(join(dir, WEIGHTS_FILE), Buffer.from(a.weightData));
  writeFileSync(join(dir, MODEL_FILE), JSON.stringify(modelJson));
}

/** Reads model.json + its weight files from `dir` as artifacts. */
export function readModelFiles(dir: string): tf.io.ModelArtifacts {
  const modelJson = JSON.parse(readFileSync(join(dir, MODEL_FILE), 'utf8')) as {
    modelTopology: object;
    format?: string;
    generatedBy?: string;
    convertedBy?: string | null;
    trainingConfig?: tf.io.TrainingConfig;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  for (const group of modelJson.weightsManifest ?? []) {
    specs.push(...group.weights);
    for (const p of group.paths) {
      const b = readFileSync(join(dir, p));
      buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
    }
  }
  return {
    modelTopology: modelJson.modelTopology,
    weightSpecs: specs,
    weightData: buffers.length === 1 ? buffers[0] : tf.io.concatenateArrayBuffers(buffers),
    ...(modelJson.trainingConfig ? { trainingConfig: modelJson.trainingConfig } : {}),
    ...(modelJson.format ? { format: modelJson.format } : {}),
    ...(modelJson.generatedBy ? { generatedBy: modelJson.generatedBy } : {}),
    ...(modelJson.convertedBy !== undefined ? { convertedBy: modelJson.convertedBy } : {}),
  };
}

/** A tf.io handler that loads a model saved by writeModelFiles (tf.loadLayersModel(fileHandler(dir))). */
export function fileHandler(dir: string): tf.io.IOHandler {
  return {
    load: async () => readModelFiles(dir),
    save: async (a) => {
      const wd = a.weightData;
      writeModelFiles(dir, {
        modelTopology: a.modelTopology as Json,
        weightSpecs: (a.weightSpecs ?? []) as unknown as Json,
        weightData: wd === undefined ? new ArrayBuffer(0) : Array.isArray(wd) ? tf.io.concatenateArrayBuffers(wd) : wd,
        ...(a.trainingConfig ? { trainingConfig: a.trainingConfig as unknown as Json } : {}),
      });
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  };
}

/**
 * Loads a saved model, compiled for evaluation as the engine trains (categorical cross-entropy on one-hot
 * labels, accuracy) unless `compile` is false. Models of cell spaces may use the engine's ZeroLayer:
 * import engine/training/model first so it is registered.
 */
export async function loadModelFrom(dir: string, options: { compile?: boolean } = {}): Promise<tf.LayersModel> {
  const model = await tf.loadLayersModel(fileHandler(dir));
  if (options.compile !== false)
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** Replaces `dir` atomically enough: write into a sibling temp directory, then rename. */
export function replaceDir(dir: string, write: (tmp: string) => void): void {
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  write(tmp);
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}
