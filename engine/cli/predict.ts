// nas predict --model DIR [--file FILE] [--json] [INPUT...]: classifies raw inputs with an exported
// model. Inputs: the arguments, else the lines of --file, else the lines of stdin (one per line; "-"
// reads stdin too). One line per input: the label and its probability, tab-separated; --json writes
// {"input", "label", "probabilities"} per line.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadPredictor } from '../training/model/predict.js';
import { initBackend } from '../training/backend.js';
import { line, UsageError, type Io } from './io.js';

export interface PredictFlags {
  model?: string;
  file?: string;
  json?: boolean;
}

function lines(text: string): string[] {
  return text.split(/\r?\n/).filter((l) => l.trim() !== '');
}

export async function predictCommand(
  inputs: string[],
  flags: PredictFlags,
  io: Io,
  cwd = process.cwd(),
  stdin: () => string = () => readFileSync(0, 'utf8'),
): Promise<number> {
  if (!flags.model) throw new UsageError('usage: nas predict --model DIR [--file FILE] [--json] [INPUT...]');
  let all = inputs.filter((i) => i !== '-');
  if (flags.file) all = [...all, ...lines(readFileSync(resolve(cwd, flags.file), 'utf8'))];
  if (all.length === 0 || inputs.includes('-')) all = [...all, ...lines(stdin())];
  if (all.length === 0) throw new UsageError('nas predict: no input (give text, --file FILE, or lines on stdin)');
  await initBackend('auto');
  const predictor = await loadPredictor(resolve(cwd, flags.model));
  try {
    for (const p of predictor.predict(all)) {
      line(io.stdout, flags.json ? JSON.stringify(p) : `${p.label}\t${p.probabilities[p.label].toFixed(4)}`);
    }
  } finally {
    predictor.dispose();
  }
  return 0;
}
