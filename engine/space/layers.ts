// The layer types a chain space can choose from, with the parameter choices used when the workflow
// lists a type without choices. The model builder (engine/training) implements each type.

import type { Json } from '../core/types.js';

export interface LayerTypeInfo {
  /** Parameter -> default choices (the first is the default value). */
  params: Record<string, Json[]>;
  /** Needs a spatial input [h, w, c] (conv and pooling); invalid after a dense layer or on flat inputs. */
  spatial: boolean;
  description: string;
}

export const LAYER_TYPES: Record<string, LayerTypeInfo> = {
  conv2d: {
    params: { filters: [16, 32, 64], kernel: [3, 5], activation: ['relu'], residual: [false] },
    spatial: true,
    description: '2-D convolution, same padding, stride 1; residual adds the input (projected when channels differ)',
  },
  separable_conv2d: {
    params: { filters: [16, 32, 64], kernel: [3, 5], activation: ['relu'], residual: [false] },
    spatial: true,
    description: 'depthwise-separable 2-D convolution, same padding',
  },
  depthwise_conv2d: {
    params: { kernel: [3, 5], activation: ['relu'] },
    spatial: true,
    description: 'depthwise 2-D convolution, same padding',
  },
  max_pool: { params: { size: [2] }, spatial: true, description: 'max pooling, stride = size' },
  avg_pool: { params: { size: [2] }, spatial: true, description: 'average pooling, stride = size' },
  batch_norm: { params: {}, spatial: false, description: 'batch normalisation' },
  dropout: { params: { rate: [0.1, 0.3] }, spatial: false, description: 'dropout' },
  dense: {
    params: { units: [32, 64, 128], activation: ['relu'] },
    spatial: false,
    description: 'fully connected; flattens a spatial input first',
  },
};

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
