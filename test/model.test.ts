// Building models from chain and cell architectures; parameter and FLOP counts checked by hand.

import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TrialError } from '../engine/core/errors.js';
import {
  buildModel,
  compileModel,
  compileOptionsFromHyper,
  countParams,
  estimateFlops,
  liveNodes,
  type ChainLayer,
  type CellModelSpec,
  type ChainModelSpec,
} from '../engine/training/model/index.js';

const chain = (layers: ChainLayer[], inputShape: number[], classes = 3, seed = 1): ChainModelSpec => ({
  space: 'chain',
  arch: { layers, hyper: {} },
  inputShape,
  classes,
  seed,
});

const cell = (ops: string[], skeleton = { channels: 4, cells: 1, stages: 2 }): CellModelSpec => ({
  space: 'cell',
  arch: { ops },
  nodes: 4,
  inputShape: [8, 8, 1],
  classes: 10,
  skeleton,
  seed: 3,
});

function outShape(m: tf.LayersModel): (number | null)[] {
  return (m.outputs[0] as tf.SymbolicTensor).shape;
}

/** Builds, checks, disposes; asserts nothing leaks. */
function built(spec: ChainModelSpec | CellModelSpec, check: (m: tf.LayersModel) => void): void {
  const before = tf.memory().numTensors;
  const m = buildModel(spec);
  try {
    check(m);
  } finally {
    m.dispose();
  }
  assert.is(tf.memory().numTensors, before, 'no tensors left after dispose');
}

test.before(async () => {
  await tf.setBackend('cpu');
});

test('chain on a flat input: dense, batch norm, dropout', () => {
  built(chain([{ type: 'dense', units: 8 }, { type: 'batch_norm' }, { type: 'dropout', rate: 0.2 }], [4]), (m) => {
    assert.equal(outShape(m), [null, 3]);
    // dense 4*8+8 = 40, batch norm 4*8 = 32 (16 trainable), head 8*3+3 = 27
    assert.is(countParams(m), 99);
    assert.is(countParams(m, { trainableOnly: true }), 83);
    assert.is(estimateFlops(m), 4 * 8 + 8 * 3);
  });
});

test('chain on images: every layer type, residual with projection, head by global average pooling', () => {
  const layers: ChainLayer[] = [
    { type: 'conv2d', filters: 4, kernel: 3, activation: 'relu', residual: true },
    { type: 'separable_conv2d', filters: 4, kernel: 3, residual: true },
    { type: 'depthwise_conv2d', kernel: 3, activation: 'elu' },
    { type: 'max_pool', size: 2 },
    { type: 'avg_pool', size: 2 },
    { type: 'batch_norm' },
    { type: 'dropout', rate: 0.1 },
  ];
  built(chain(layers, [8, 8, 1], 10), (m) => {
    assert.equal(outShape(m), [null, 10]);
    const names = m.layers.map((l) => l.name);
    assert.ok(names.includes('l0_conv2d_proj'), '1 -> 4 channels needs a projection');
    assert.ok(!names.includes('l1_separable_conv2d_proj'), '4 -> 4 channels adds the input directly');
    assert.ok(names.includes('head_gap'));
  });
});

test('too many pools: pools past 1x1 are skipped instead of failing', () => {
  const pools = Array.from({ length: 8 }, (): ChainLayer => ({ type: 'max_pool', size: 2 }));
  built(chain([{ type: 'conv2d', filters: 2, kernel: 3 }, ...pools, { type: 'dense', units: 4 }], [28, 28, 1]), (m) => {
    const shapes = m.layers.map((l) => (l.output as tf.SymbolicTensor).shape);
    assert.ok(shapes.every((s) => s.every((d) => d === null || d > 0)));
    assert.equal(outShape(m), [null, 3]);
    assert.is(m.layers.filter((l) => l.getClassName() === 'MaxPooling2D').length, 4, '28 -> 14 -> 7 -> 3 -> 1');
  });
  // a 3x3 pool on a 2x2 map is skipped too
  built(chain([{ type: 'avg_pool', size: 3 }], [2, 2, 1]), (m) => assert.equal(outShape(m), [null, 3]));
});

test('conv params and FLOPs by hand', () => {
  // conv 3x3, 2 -> 3 channels on 6x6: params 3*3*2*3 + 3 = 57; head GAP -> dense 3*2 + 2 = 8
  // MACs: 6*6*3 outputs * 3*3*2 = 1944; head 3*2 = 6
  built(chain([{ type: 'conv2d', filters: 3, kernel: 3 }], [6, 6, 2], 2), (m) => {
    assert.is(countParams(m), 65);
    assert.is(estimateFlops(m), 1950);
  });
  // separable 3x3, 2 -> 3 on 4x4: params 9*2 + 2*3 + 3 = 27; MACs depthwise 4*4*2*9 = 288 + pointwise 4*4*2*3 = 96
  built(chain([{ type: 'separable_conv2d', filters: 3, kernel: 3 }], [4, 4, 2], 2), (m) => {
    assert.is(countParams(m), 27 + 8);
    assert.is(estimateFlops(m), 288 + 96 + 6);
  });
  // depthwise 3x3 on 4x4x2: params 9*2 + 2 = 20; MACs 4*4*2*9 = 288; head 2*2 + 2 = 6 params, 4 MACs
  built(chain([{ type: 'depthwise_conv2d', kernel: 3 }], [4, 4, 2], 2), (m) => {
    assert.is(countParams(m), 26);
    assert.is(estimateFlops(m), 292);
  });
  // residual conv 2 -> 4 on 5x5: conv 3*3*2*4 + 4 = 76, projection 2*4 + 4 = 12, head 4*2 + 2 = 10
  built(chain([{ type: 'conv2d', filters: 4, kernel: 3, residual: true }], [5, 5, 2], 2), (m) => {
    assert.is(countParams(m), 98);
    assert.is(estimateFlops(m), 25 * 4 * 18 + 25 * 4 * 2 + 8);
  });
});

test('flatten head on request', () => {
  built({ ...chain([{ type: 'conv2d', filters: 2, kernel: 3 }], [4, 4, 1], 2), head: 'flatten' }, (m) => {
    // conv 9*2 + 2 = 20; flatten 32 -> dense 32*2 + 2 = 66
    assert.is(countParams(m), 86);
  });
});

test('the same seed builds the same weights, another seed others', () => {
  const spec = chain(
    [
      { type: 'conv2d', filters: 4, kernel: 3 },
      { type: 'dense', units: 5 },
    ],
    [6, 6, 1],
  );
  const weights = (s: ChainModelSpec) => {
    const m = buildModel(s);
    const w = m.getWeights().map((t) => Array.from(t.dataSync()));
    m.dispose();
    return w;
  };
  assert.equal(weights(spec), weights(spec));
  assert.not.equal(weights(spec), weights({ ...spec, seed: 2 }));
});

test('unbuildable chains fail the trial, not the run', () => {
  const bad = [
    chain([{ type: 'conv2d', filters: 4, kernel: 3 }], [16]),
    chain(
      [
        { type: 'dense', units: 4 },
        { type: 'max_pool', size: 2 },
      ],
      [4, 4, 1],
    ),
    chain([{ type: 'lstm' }], [4]),
    chain([{ type: 'dense', units: 0 }], [4]),
    chain([{ type: 'dense', units: 4, activation: 'wiggle' }], [4]),
  ];
  for (const spec of bad) {
    try {
      buildModel(spec).dispose();
      assert.unreachable(JSON.stringify(spec.arch));
    } catch (e) {
      assert.instance(e, TrialError);
      assert.is((e as TrialError).retryable, false);
    }
  }
  assert.throws(
    () => buildModel(chain([{ type: 'conv2d', filters: 4, kernel: 3 }], [16])),
    /needs a spatial input \[height, width, channels\], got \[16\]/,
  );
});

test('nb201 cells build for several archs, including all-none and all-skip', () => {
  const archs = [
    ['nor_conv_3x3', 'nor_conv_1x1', 'avg_pool_3x3', 'skip_connect', 'nor_conv_3x3', 'none'],
    ['none', 'none', 'none', 'none', 'none', 'none'],
    ['skip_connect', 'skip_connect', 'skip_connect', 'skip_connect', 'skip_connect', 'skip_connect'],
    ['nor_conv_3x3', 'none', 'none', 'none', 'none', 'none'], // node 3 is all-none: the cell outputs zeros
    ['avg_pool_3x3', 'avg_pool_3x3', 'nor_conv_1x1', 'nor_conv_3x3', 'nor_conv_3x3', 'nor_conv_3x3'],
  ];
  for (const ops of archs) {
    built(cell(ops, { channels: 4, cells: 2, stages: 3 }), (m) => {
      assert.equal(outShape(m), [null, 10]);
      assert.ok(countParams(m) > 0);
    });
  }
  built(cell(archs[1]), (m) => assert.ok(m.layers.some((l) => l.getClassName() === 'NasZero')));
});

test('nb201 cell graph: zero nodes and dead nodes are pruned', () => {
  assert.equal(liveNodes(['none', 'none', 'none', 'none', 'none', 'none'], 4), [false, false, false, false]);
  assert.equal(liveNodes(['nor_conv_3x3', 'none', 'none', 'none', 'none', 'none'], 4), [false, false, false, false]);
  // node 1 feeds nothing that reaches node 3
  assert.equal(liveNodes(['nor_conv_3x3', 'skip_connect', 'none', 'skip_connect', 'none', 'skip_connect'], 4), [
    true,
    false,
    true,
    true,
  ]);
  // the all-skip cell is param-free: only stem, reductions and head hold weights
  built(
    cell(['skip_connect', 'skip_connect', 'skip_connect', 'skip_connect', 'skip_connect', 'skip_connect']),
    (skip) => {
      built(cell(['none', 'none', 'none', 'none', 'none', 'none']), (none) =>
        assert.is(countParams(skip), countParams(none)),
      );
    },
  );
});

test('nb201 cell params by hand (1 stage, 1 cell, one conv edge)', () => {
  // stem conv 3*3*1*4 = 36 + BN 16; edge 1<-0 nor_conv_3x3: 3*3*4*4 = 144 + BN 16; last BN 16;
  // head 4*10 + 10 = 50. Node 3 = skip(node 0) + conv path through node 1 via skip 3<-1.
  built(
    cell(['nor_conv_3x3', 'none', 'none', 'skip_connect', 'skip_connect', 'none'], {
      channels: 4,
      cells: 1,
      stages: 1,
    }),
    (m) => {
      assert.is(countParams(m), 36 + 16 + 144 + 16 + 16 + 50);
      // MACs: stem 64*4*9 = 2304, edge 64*4*36 = 9216, head 40
      assert.is(estimateFlops(m), 2304 + 9216 + 40);
    },
  );
});

test('bad cell specs fail the trial', () => {
  assert.throws(
    () => buildModel(cell(['none'])),
    (e: unknown) => e instanceof TrialError && /needs 6 ops/.test((e as Error).message),
  );
  assert.throws(
    () => buildModel(cell(['conv_7x7', 'none', 'none', 'none', 'none', 'none'])),
    /unknown cell op "conv_7x7"/,
  );
  assert.throws(
    () => buildModel({ ...cell(['none', 'none', 'none', 'none', 'none', 'none']), inputShape: [64] }),
    /image input/,
  );
});

test('compile options from hyper, with defaults; unknown optimizers fail the trial', () => {
  assert.equal(compileOptionsFromHyper({ learning_rate: 0.01, optimizer: 'sgd' }), {
    optimizer: 'sgd',
    learningRate: 0.01,
    weightDecay: 0,
  });
  assert.equal(compileOptionsFromHyper(), { optimizer: 'adam', learningRate: 0.001, weightDecay: 0 });
  built(chain([{ type: 'dense', units: 2 }], [4]), (m) => {
    assert.throws(
      () => compileModel(m, { optimizer: 'lbfgs' }),
      (e: unknown) => e instanceof TrialError && /unknown optimizer "lbfgs"/.test((e as Error).message),
    );
    for (const optimizer of ['adam', 'sgd', 'rmsprop', 'adagrad'])
      compileModel(m, { optimizer, learningRate: 0.01, weightDecay: 1e-4 }).dispose();
  });
});

test.run();
