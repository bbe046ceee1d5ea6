// Trained models of a run, kept on disk next to the store: <store>.models/<run>/<trial>/{model.json,
// weights.bin, meta.json}. Only the current top K by the objective are kept (K = evaluation.keep_models),
// so disk use stays bounded; `nas export` copies one out. Written by the main thread only.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonObject } from '../../core/types.js';
import { replaceDir, writeModelFiles } from '../../training/model/files.js';
import type { ModelArtifactsJson } from '../../training/model/files.js';

export const META_FILE = 'meta.json';

/** A stage of a multi-stage run keeps its models in a subfolder named after it (trial numbers restart per stage). */
export function modelsDir(storePath: string, runId: number, stage?: string): string {
  return stage ? `${storePath}.models/${runId}/${stage}` : `${storePath}.models/${runId}`;
}

export function trialModelDir(storePath: string, runId: number, trial: number, stage?: string): string {
  return join(modelsDir(storePath, runId, stage), String(trial));
}

export class ModelKeeper {
  /** trial -> objective score (larger is better) of the models on disk. */
  private readonly kept = new Map<number, number>();

  constructor(
    readonly dir: string,
    readonly keep: number,
  ) {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      if (!/^\d+$/.test(name)) {
        if (name.includes('.tmp-')) rmSync(join(dir, name), { recursive: true, force: true });
        continue;
      }
      try {
        const meta = JSON.parse(readFileSync(join(dir, name, META_FILE), 'utf8')) as { score?: number };
        if (typeof meta.score === 'number') this.kept.set(Number(name), meta.score);
        else rmSync(join(dir, name), { recursive: true, force: true });
      } catch {
        rmSync(join(dir, name), { recursive: true, force: true });
      }
    }
  }

  /** Whether a model with this score would be kept now. */
  wants(score: number): boolean {
    if (this.keep <= 0) return false;
    if (this.kept.size < this.keep) return true;
    return score > Math.min(...this.kept.values());
  }

  /** Saves the model when it is among the top K, and drops the models that fall out. */
  offer(trial: number, score: number, model: ModelArtifactsJson, meta: JsonObject): boolean {
    if (!this.wants(score) && !this.kept.has(trial)) return false;
    mkdirSync(this.dir, { recursive: true });
    replaceDir(join(this.dir, String(trial)), (tmp) => {
      writeModelFiles(tmp, model);
      writeFileSync(join(tmp, META_FILE), JSON.stringify({ ...meta, trial, score }, null, 2));
    });
    this.kept.set(trial, score);
    while (this.kept.size > this.keep) {
      let worst = -1;
      let worstScore = Infinity;
      for (const [t, s] of this.kept)
        if (s < worstScore || (s === worstScore && t > worst)) [worst, worstScore] = [t, s];
      this.kept.delete(worst);
      rmSync(join(this.dir, String(worst)), { recursive: true, force: true });
    }
    return this.kept.has(trial);
  }

  trials(): number[] {
    return [...this.kept.keys()].sort((a, b) => a - b);
  }
}
