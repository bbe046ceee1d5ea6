// The space a workflow gets when it leaves `space` out: picked from its dataset's kind of input, small
// enough that a quickstart-sized budget (10-20 trials of a few epochs) finds a good model in it.
//   image [h, w, c]         conv2d / max_pool / dropout, flatten head
//   audio [frames, mels]    conv2d / max_pool / batch_norm / dropout / dense over [frames, mels, 1], flatten head
//   table [columns]         dense / dropout / batch_norm, with learning rate and weight decay
//   table + categorical     the same, with the embedding size searched (embedding_dim)
//   tokens [length]         embedding, then conv1d / max_pool1d / global_pool / dense / dropout (the
//                           space of workflows/spam.yaml; recurrent and attention layers cost too much
//                           on wasm for a quickstart budget)
// Loading the data is the only way to know its shape, so this runs while the workflow is checked.

import { resolve } from 'node:path';
import { errorMessage } from '../core/errors.js';
import type { Json, JsonObject } from '../core/types.js';
import type { DatasetConfig } from '../core/workflow.js';
import { loadDataset, type Dataset } from '../training/datasets/index.js';

export type InputKind = 'image' | 'audio' | 'table' | 'categorical-table' | 'tokens';

export interface DefaultSpace {
  kind: InputKind;
  space: JsonObject;
}

export function inputKindOf(ds: Dataset): InputKind {
  if (ds.texts || ds.vocabulary) return 'tokens';
  if (ds.source.startsWith('audio:')) return 'audio';
  if (ds.featureShape.length >= 2) return 'image';
  return ds.categorical ? 'categorical-table' : 'table';
}

/** The default space for a dataset as loaded (see the table above). */
export function defaultSpaceFor(ds: Dataset): DefaultSpace {
  const kind = inputKindOf(ds);
  const shape = ds.featureShape;
  switch (kind) {
    case 'image':
      return {
        kind,
        // no dense: once a dense layer flattens, no conv can follow, and 10 random-then-evolved samples of
        // a space with dense were all MLPs on mnist (0.936); the flatten head (set with the default, see
        // fillDefaultSpace) keeps where a pattern is, which a global average pool after 3 epochs lost (0.747)
        space: chain(shape.length === 3 ? shape : [...shape, 1], 2, 4, {
          conv2d: { filters: [16, 32], kernel: [3, 5] },
          max_pool: { size: [2] },
          dropout: { rate: [0.1, 0.25] },
        }),
      };
    case 'audio':
      return {
        kind,
        space: chain([...shape, 1], 3, 6, {
          conv2d: { filters: [16, 32], kernel: [3, 5] },
          max_pool: { size: [2] },
          batch_norm: {},
          dropout: { rate: [0.25] },
          dense: { units: [64] },
        }),
      };
    case 'tokens':
      return tokensSpace(shape[0] ?? 200);
    default: {
      const space = chain(shape, 1, 3, {
        dense: { units: [32, 64, 128], activation: ['relu', 'tanh'] },
        dropout: { rate: [0.1, 0.3] },
        batch_norm: {},
      });
      space.hyper = {
        learning_rate: [0.001, 0.003, 0.01],
        batch_size: [16, 32],
        weight_decay: [0, 0.001],
        ...(kind === 'categorical-table' ? { embedding_dim: [4, 8, 16] } : {}),
      };
      return { kind, space };
    }
  }
}

/** Token inputs (a text dataset of `length` token ids per sample): the chain space places the embedding first. */
export function tokensSpace(length: number): DefaultSpace {
  return {
    kind: 'tokens',
    space: chain([length], 2, 4, {
      embedding: { dim: [32, 64] },
      conv1d: { filters: [32, 64], kernel: [3, 5] },
      max_pool1d: { size: [2, 4] },
      global_pool: { mode: ['max', 'avg'] },
      dense: { units: [64] },
      dropout: { rate: [0.2] },
    }),
  };
}

function chain(input: number[], min: number, max: number, choose: Record<string, Record<string, Json[]>>): JsonObject {
  return {
    kind: 'chain',
    input: [...input],
    layers: { min, max, choose: choose as JsonObject },
    hyper: { learning_rate: [0.001, 0.003], batch_size: [32, 64] },
  };
}

/**
 * Fills `data.space` from the dataset when the workflow has none; returns the chosen space's kind, or a
 * one-line problem when the data cannot be loaded. Relative paths resolve against `dir`.
 */
export function fillDefaultSpace(
  data: Record<string, unknown>,
  dir: string,
): { kind?: InputKind; problem?: string } | undefined {
  const dataset = data.dataset as Partial<DatasetConfig> | undefined;
  if (data.space !== undefined || typeof dataset?.source !== 'string') return undefined;
  // text: the samples are `tokenizer.length` token ids once split (the schema's default length is 200);
  // no need to load and tokenize the corpus to know that
  if (typeof dataset.text === 'string' || dataset.source === 'builtin:spam') {
    const length = typeof dataset.tokenizer?.length === 'number' ? dataset.tokenizer.length : 200;
    data.space = tokensSpace(length).space;
    return { kind: 'tokens' };
  }
  const m = /^(csv|idx|json|audio):(.+)$/.exec(dataset.source);
  const source = m ? `${m[1]}:${resolve(dir, m[2])}` : dataset.source;
  try {
    const ds = loadDataset({
      source,
      label: typeof dataset.label === 'string' ? dataset.label : 'label',
      ...(dataset.task ? { task: dataset.task } : {}),
      ...(Array.isArray(dataset.categorical) ? { categorical: dataset.categorical.map(String) } : {}),
      split: { validation: 0.2 },
    });
    const chosen = defaultSpaceFor(ds);
    data.space = chosen.space;
    // images and audio: the classifier sees the flattened map unless the workflow chose a head
    const ev = data.evaluation as Record<string, unknown> | undefined;
    if ((chosen.kind === 'image' || chosen.kind === 'audio') && ev?.type === 'train' && ev.head === undefined)
      ev.head = 'flatten';
    return { kind: chosen.kind };
  } catch (e) {
    return { problem: `space left out, and no default could be chosen: ${errorMessage(e)}` };
  }
}
