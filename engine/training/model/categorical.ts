// The input block of a table with categorical columns (dataset.categorical): each id column looks its
// value up in an embedding table of its own (row 0: out of vocabulary), and the embeddings are
// concatenated with the numeric columns. One layer over the whole row keeps the dataset one tensor
// [n, columns], so batching, shuffling and the pool's data path stay as they are for any table.
// Registered for serialisation, so kept and exported models load again.

import * as tf from '@tensorflow/tfjs';
import type { Json } from '../../core/types.js';
import { deriveSeed } from '../../core/rng.js';
import { unbuildable } from './params.js';
import type { CategoricalSpec } from './types.js';

/** Default embedding size when the space does not search `embedding_dim`. */
export const DEFAULT_EMBEDDING_DIM = 8;

interface Args {
  positions: number[];
  rows: number[];
  dims: number[];
  seed: number;
  name?: string;
}

export class CategoricalEmbedding extends tf.layers.Layer {
  static readonly className = 'NasCategoricalEmbedding';
  private readonly positions: number[];
  private readonly rows: number[];
  private readonly dims: number[];
  private readonly seed: number;
  private tables: tf.LayerVariable[] = [];
  private numeric: number[] = [];

  constructor(args: Args) {
    super(args.name ? { name: args.name } : {});
    this.positions = args.positions;
    this.rows = args.rows;
    this.dims = args.dims;
    this.seed = args.seed;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const width = shape[shape.length - 1] as number;
    this.numeric = Array.from({ length: width }, (_, j) => j).filter((j) => !this.positions.includes(j));
    this.tables = this.positions.map((_, c) =>
      this.addWeight(
        `table_${c}`,
        [this.rows[c], this.dims[c]],
        'float32',
        // small uniform values, as Keras' Embedding starts
        tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: deriveSeed(this.seed, 'embedding', c) }),
      ),
    );
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor2D;
    return tf.tidy(() => {
      const parts: tf.Tensor[] = this.positions.map((p, c) => {
        const ids = tf.clipByValue(tf.reshape(tf.slice(x, [0, p], [-1, 1]), [-1]), 0, this.rows[c] - 1).toInt();
        return tf.gather(this.tables[c].read(), ids);
      });
      if (this.numeric.length > 0) parts.push(tf.gather(x, tf.tensor1d(this.numeric, 'int32'), 1));
      return parts.length === 1 ? parts[0] : tf.concat(parts, 1);
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const width = shape[shape.length - 1] as number;
    return [shape[0], this.dims.reduce((a, b) => a + b, 0) + width - this.positions.length];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), positions: this.positions, rows: this.rows, dims: this.dims, seed: this.seed };
  }
}

tf.serialization.registerClass(CategoricalEmbedding);

/** The embedding size of each column: hyper `embedding_dim.COLUMN`, else `embedding_dim`, else the default. */
export function embeddingDims(spec: CategoricalSpec, hyper: Record<string, Json> = {}): number[] {
  return spec.names.map((name) => {
    const v = hyper[`embedding_dim.${name}`] ?? hyper.embedding_dim ?? DEFAULT_EMBEDDING_DIM;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
      throw unbuildable(`embedding_dim of column "${name}" must be an integer >= 1, got ${JSON.stringify(v)}`);
    return v;
  });
}
