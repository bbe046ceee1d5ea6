// The layer types a chain space can choose from, with the parameter choices used when the workflow
// lists a type without choices, and the kind of data each type takes and gives (its "flow"). The
// chain space offers a type only where its flow arrives, and the workflow checks reject a type that
// can never be placed. The model builder (engine/training) implements each type.

import type { Json } from '../core/types.js';

/**
 * What flows between layers: a flat vector, an image [h, w, c], a sequence [steps, features], or
 * token ids [steps] (integers, only an embedding can read them).
 */
export type Flow = 'flat' | 'image' | 'sequence' | 'tokens';

export interface LayerTypeInfo {
  /** Parameter -> default choices (the first is the default value). */
  params: Record<string, Json[]>;
  /** The flows this type can read. */
  accepts: readonly Flow[];
  /** Needs a spatial input [h, w, c] (2-D conv and pooling); invalid after a dense layer or on flat inputs. */
  spatial: boolean;
  description: string;
}

const SHAPED: readonly Flow[] = ['flat', 'image', 'sequence'];

export const LAYER_TYPES: Record<string, LayerTypeInfo> = {
  conv2d: {
    params: { filters: [16, 32, 64], kernel: [3, 5], activation: ['relu'], residual: [false] },
    accepts: ['image'],
    spatial: true,
    description: '2-D convolution, same padding, stride 1; residual adds the input (projected when channels differ)',
  },
  separable_conv2d: {
    params: { filters: [16, 32, 64], kernel: [3, 5], activation: ['relu'], residual: [false] },
    accepts: ['image'],
    spatial: true,
    description: 'depthwise-separable 2-D convolution, same padding',
  },
  depthwise_conv2d: {
    params: { kernel: [3, 5], activation: ['relu'] },
    accepts: ['image'],
    spatial: true,
    description: 'depthwise 2-D convolution, same padding',
  },
  max_pool: { params: { size: [2] }, accepts: ['image'], spatial: true, description: 'max pooling, stride = size' },
  avg_pool: {
    params: { size: [2] },
    accepts: ['image'],
    spatial: true,
    description: 'average pooling, stride = size',
  },
  batch_norm: { params: {}, accepts: SHAPED, spatial: false, description: 'batch normalisation' },
  dropout: { params: { rate: [0.1, 0.3] }, accepts: SHAPED, spatial: false, description: 'dropout' },
  dense: {
    params: { units: [32, 64, 128], activation: ['relu'] },
    accepts: SHAPED,
    spatial: false,
    description: 'fully connected; flattens a spatial input or a sequence first',
  },
  embedding: {
    params: { dim: [32, 64, 128] },
    accepts: ['tokens'],
    spatial: false,
    description: 'token ids -> a sequence of learned vectors (id 0 is padding, 1 out-of-vocabulary)',
  },
  conv1d: {
    params: { filters: [32, 64, 128], kernel: [3, 5, 7], dilation: [1], activation: ['relu'] },
    accepts: ['sequence'],
    spatial: false,
    description: '1-D convolution along the steps, same padding, stride 1',
  },
  max_pool1d: {
    params: { size: [2] },
    accepts: ['sequence'],
    spatial: false,
    description: 'max pooling along the steps, stride = size',
  },
  avg_pool1d: {
    params: { size: [2] },
    accepts: ['sequence'],
    spatial: false,
    description: 'average pooling along the steps, stride = size',
  },
  global_pool: {
    params: { mode: ['max', 'avg'] },
    accepts: ['image', 'sequence'],
    spatial: false,
    description: 'max or average over all steps (or all pixels): one vector per sample',
  },
  lstm: {
    params: { units: [32, 64], bidirectional: [false], return_sequences: [false] },
    accepts: ['sequence'],
    spatial: false,
    description: 'LSTM over the steps; the last state, or every step with return_sequences',
  },
  gru: {
    params: { units: [32, 64], bidirectional: [false], return_sequences: [false] },
    accepts: ['sequence'],
    spatial: false,
    description: 'GRU over the steps; the last state, or every step with return_sequences',
  },
  attention: {
    params: { heads: [2, 4], key_dim: [16, 32], ff_units: [64, 128], dropout: [0.1] },
    accepts: ['sequence'],
    spatial: false,
    description:
      'Transformer encoder block: multi-head self-attention and a feed-forward layer, each with a residual and layer norm; the first one adds a learned position embedding',
  },
  layer_norm: { params: {}, accepts: SHAPED, spatial: false, description: 'layer normalisation over the features' },
};

/** Types whose `size` shrinks the steps or the map by floor division. */
export const POOL_TYPES = new Set(['max_pool', 'avg_pool', 'max_pool1d', 'avg_pool1d']);

/**
 * The flow after a layer of `type` (with its parameters) reads `flow`, or null when it cannot read it.
 * Sizes (pooling) are the space's concern; this is only the kind of data.
 */
export function flowAfter(type: string, flow: Flow, params: Record<string, Json | undefined> = {}): Flow | null {
  const info = LAYER_TYPES[type];
  if (!info || !info.accepts.includes(flow)) return null;
  switch (type) {
    case 'dense':
    case 'global_pool':
      return 'flat';
    case 'embedding':
      return 'sequence';
    case 'lstm':
    case 'gru':
      return (params.return_sequences ?? info.params.return_sequences[0]) === true ? 'sequence' : 'flat';
    default:
      return flow;
  }
}

/** The flows a layer of `type` can give, over all of its parameter choices. */
export function flowsAfter(type: string, flow: Flow, choices: Record<string, Json[]> = {}): Flow[] {
  if (type === 'lstm' || type === 'gru') {
    const values = choices.return_sequences ?? LAYER_TYPES[type].params.return_sequences;
    return [...new Set(values.map((v) => flowAfter(type, flow, { return_sequences: v })))].filter(
      (f): f is Flow => f !== null,
    );
  }
  const f = flowAfter(type, flow);
  return f ? [f] : [];
}

/** The flow a chain's `input` starts with: [n] flat (or tokens when the space says so), [steps, features] a sequence, [h, w, c] an image. */
export function inputFlow(input: readonly number[], tokens = false): Flow {
  if (tokens) return 'tokens';
  return input.length === 1 ? 'flat' : input.length === 2 ? 'sequence' : 'image';
}

export const ACTIVATIONS = ['relu', 'elu', 'selu', 'tanh', 'sigmoid', 'swish', 'linear'] as const;

/** Hyperparameters a chain space may search, with defaults used when the space does not search them. */
export const HYPER_PARAMS: Record<string, { default: Json; description: string }> = {
  learning_rate: { default: 0.001, description: 'optimizer learning rate' },
  batch_size: { default: 32, description: 'training batch size' },
  optimizer: { default: 'adam', description: 'adam | sgd | rmsprop | adagrad' },
  weight_decay: { default: 0, description: 'L2 penalty on kernels' },
  embedding_dim: {
    default: 8,
    description: 'embedding size of every categorical column (embedding_dim.COLUMN: of one column)',
  },
};
