// The JSON Schema (draft-07) of a whole workflow file, assembled from the registries at call time so a
// new strategy or evaluator shows up without touching this file. Variants are chosen with if/then on
// `type` / `kind` (not oneOf) so that validation errors name the one branch the user meant.
// Non-standard annotations: "x-expect" (how to describe a valid value in messages), "x-path" (a file path).

import { LAYER_TYPES, HYPER_PARAMS, ACTIVATIONS } from '../space/layers.js';
import type { Json } from '../core/types.js';
import { DURATION_PATTERN } from './duration.js';
import {
  MAX_CELL_NODES,
  MAX_CELL_OPS,
  MAX_LAYERS,
  MAX_OPTION_INT,
  MAX_PARALLEL,
  MAX_SEED,
  MAX_SIZE,
} from './limits.js';
import { defaultRegistries, type Registries } from './registries.js';

export type JsonSchema = Record<string, unknown>;

export const NAME_PATTERN = '^[a-z0-9]+(-[a-z0-9]+)*$';
export const DATASET_SOURCE_PATTERN = '^(builtin:(mnist|digits|iris|wine|diabetes|spam)|(csv|idx|json|audio):.+)$';
export const NB201_OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'];
export const META_LEARN = ['space', 'strategy', 'evaluation'];

const int = (minimum: number, extra: JsonSchema = {}): JsonSchema => ({ type: 'integer', minimum, ...extra });
const obj = (properties: Record<string, JsonSchema>, extra: JsonSchema = {}): JsonSchema => ({
  type: 'object',
  additionalProperties: false,
  properties,
  ...extra,
});
const list = (items: JsonSchema, extra: JsonSchema = {}): JsonSchema => ({
  type: 'array',
  minItems: 1,
  items,
  ...extra,
});

/** A time budget: seconds, or a duration string. */
function timeSchema(description?: string): Record<string, unknown> {
  return {
    type: ['number', 'string'],
    exclusiveMinimum: 0,
    pattern: DURATION_PATTERN,
    'x-expect': 'a number of seconds > 0 or a duration like "90s", "20m", "1h30m"',
    ...(description ? { description } : {}),
  };
}

export function buildWorkflowSchema(registries: Registries = defaultRegistries()): JsonSchema {
  const bound = obj({ min: { type: 'number' }, max: { type: 'number' } });
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'NAS workflow',
    description: 'A neural architecture search: space, strategy, evaluation, budget. Paths are relative to this file.',
    ...obj(
      {
        name: {
          type: 'string',
          pattern: NAME_PATTERN,
          'x-expect': 'lowercase words and dashes, e.g. mnist-cnn',
          description: 'Run name; the default store is runs/<name>.sqlite.',
        },
        seed: int(0, {
          maximum: MAX_SEED,
          default: 0,
          description: 'Every random choice derives from it (0 to 2^32-1).',
        }),
        objective: objectiveSchema(),
        constraints: obj({ params: bound, flops: bound, latency: bound }, { default: {} }),
        dataset: obj(
          {
            source: {
              type: 'string',
              pattern: DATASET_SOURCE_PATTERN,
              'x-expect': 'builtin:mnist|digits|iris|wine|diabetes|spam, or csv:PATH, idx:PATH, json:PATH, audio:DIR',
            },
            label: { type: 'string', minLength: 1, default: 'label' },
            text: {
              type: 'string',
              minLength: 1,
              description: 'A csv column of raw text: the samples become token ids (see tokenizer).',
            },
            tokenizer: obj(
              {
                level: { enum: ['word', 'char'], default: 'word', description: 'Split into words or characters.' },
                vocab: int(3, {
                  default: 20000,
                  description:
                    'Most frequent tokens of the training split kept, padding and out-of-vocabulary included.',
                }),
                length: int(1, { default: 200, description: 'Token ids per sample: cut or padded with 0.' }),
                lowercase: { type: 'boolean', default: true },
                punctuation: {
                  type: 'boolean',
                  default: false,
                  description:
                    'Word level: each punctuation mark or symbol ($, !, <) is a token of its own instead of a separator.',
                },
                keep: {
                  enum: ['first', 'last'],
                  default: 'first',
                  description:
                    "Which `length` tokens of a longer text are kept: the first, or the last (Keras' truncating='pre'; the end of an e-mail often says more than its start).",
                },
              },
              { description: 'How text becomes token ids; fitted on the training split only.' },
            ),
            task: {
              enum: ['classification', 'regression'],
              description:
                'What the label is: a class or a number. Absent: regression when every label is a number and one is not an integer or there are more than 20 distinct values.',
            },
            categorical: list(
              { type: 'string', minLength: 1 },
              {
                uniqueItems: true,
                description:
                  'Id-like columns (user, item, genre): per-column embeddings (size: hyper embedding_dim), concatenated with the numeric columns; ids unseen in training share an out-of-vocabulary row.',
              },
            ),
            limit: int(1),
            split: obj(
              {
                validation: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.2 },
                test: {
                  type: 'number',
                  exclusiveMinimum: 0,
                  exclusiveMaximum: 1,
                  description:
                    'Fraction of the dataset held out from the search; the top trials (kept models) are evaluated once on it at the end.',
                },
              },
              { default: { validation: 0.2 } },
            ),
          },
          { required: ['source'] },
        ),
        space: spaceSchema(),
        strategy: byType('strategy', registries.strategies),
        evaluation: byType('evaluation', registries.evaluators),
        budget: obj(
          {
            trials: int(1),
            time: timeSchema(),
            failures: int(0, { default: 5 }),
          },
          { default: {} },
        ),
        parallel: int(1, {
          maximum: MAX_PARALLEL,
          description: "Trials evaluated at once, at most 4x the machine's cores; default: the machine's cores.",
        }),
        retries: int(0, { default: 2 }),
        schedule: {
          enum: ['reproducible', 'eager'],
          default: 'reproducible',
          description:
            'reproducible: results told in trial order, trial k asked once trials 1..k-parallel are told (same file + seed = same trials); eager: ask and tell as trials finish (faster, timing-dependent).',
        },
        executor: executorSchema(),
        meta: obj(
          {
            from: list({ type: 'string', minLength: 1, 'x-path': 'file' }),
            learn: list({ enum: META_LEARN }, { uniqueItems: true, default: META_LEARN }),
            top_k: int(1, {
              description: 'Best-known architectures handed to the strategy as its warm start (default 20).',
            }),
            top_fraction: {
              type: 'number',
              exclusiveMinimum: 0,
              maximum: 1,
              description: "Fraction of each source run's trials that count as its best (default 0.1).",
            },
            similarity: {
              enum: ['features', 'uniform'],
              description: 'Weight source tasks by task meta-features (default) or all alike.',
            },
            min_similarity: {
              type: 'number',
              minimum: 0,
              maximum: 1,
              description: 'Ignore source tasks less similar than this (default 0).',
            },
            prior_strength: {
              type: 'number',
              minimum: 0,
              maximum: 1,
              description: 'Weight of the learned choice distribution against uniform sampling (default 0.8).',
            },
            prune_ops: {
              type: 'boolean',
              description:
                'Remove choices never among the best of the sources from the space the strategy sees (default false).',
            },
            screen: {
              type: 'number',
              exclusiveMinimum: 0,
              maximum: 1,
              description:
                'learn: evaluation: evaluate only candidates predicted in this top fraction (default 0.5; 1 = no screening).',
            },
            stages: {
              enum: ['final', 'all'],
              default: 'final',
              description:
                "Multi-stage source runs: learn from the final stage's trials (the run's result) or from every stage.",
            },
          },
          { required: ['from'] },
        ),
        stages: stagesSchema(registries),
        extends: {
          type: 'string',
          minLength: 1,
          description: 'Another workflow file this one builds on (deep merge; this file wins). Relative to this file.',
        },
      },
      {
        required: ['name', 'strategy', 'evaluation'],
        // `space` may be left out when there is a dataset: the engine picks a default for its input
        if: { not: { required: ['dataset'] } },
        then: { required: ['space'] },
        // Free room for YAML anchors, as in docker-compose: `x-defaults: &d {...}`.
        patternProperties: { '^x-': {} },
      },
    ),
  };
}

/** Where trials run: the local thread pool (default), or a BullMQ queue on Redis served by `nas worker`s. */
function executorSchema(): JsonSchema {
  return obj(
    {
      type: { enum: ['local', 'redis'], default: 'local', description: 'local: this machine; redis: a queue' },
      url: {
        type: 'string',
        pattern: '^rediss?://',
        'x-expect': 'redis://[:PASSWORD@]HOST:PORT[/DB] or rediss://... (TLS)',
        description: 'The Redis server of the queue (or url_env, to keep a password out of the file).',
      },
      url_env: {
        type: 'string',
        pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
        'x-expect': 'the name of an environment variable, e.g. NAS_REDIS_URL',
        description: 'An environment variable holding the Redis url, read when the run starts.',
      },
      queue: {
        type: 'string',
        pattern: '^[A-Za-z0-9_.-]+$',
        default: 'nas',
        'x-expect': 'letters, digits, dots, dashes and underscores',
        description: 'Queue name; the workers serve it with `nas worker --queue NAME`.',
      },
    },
    { description: 'Where trials run (default: local worker threads).' },
  );
}

export const STAGE_NAME_PATTERN = '^[a-z][a-z0-9]*(-[a-z0-9]+)*$';
/** The sections a stage may override (merged over the workflow's own when the type/kind is the same). */
export const STAGE_SECTIONS = ['objective', 'space', 'strategy', 'evaluation', 'budget'] as const;

/** `{ metric, mode }`, or a list of them (several objectives: the first is the primary one). */
function objectiveSchema(withDefault = true): JsonSchema {
  const metric = {
    type: 'string',
    minLength: 1,
    description: 'A metric the evaluation reports (or params, flops, latency measured by the engine).',
  };
  // no default here: an objective without `mode` is minimised for loss-like metrics (defaultMode)
  const mode = { enum: ['max', 'min'] };
  return {
    type: ['object', 'array'],
    'x-expect': 'a mapping { metric, mode } or a list of them',
    additionalProperties: false,
    properties: { metric: withDefault ? { ...metric, default: 'accuracy' } : metric, mode },
    minItems: 1,
    items: obj({ metric, mode }, { required: ['metric'] }),
    ...(withDefault ? { default: { metric: 'accuracy', mode: 'max' } } : {}),
    description: 'What the search optimises; a list makes it multi-objective (Pareto front).',
  };
}

function stagesSchema(registries: Registries): JsonSchema {
  const stage = obj(
    {
      name: {
        type: 'string',
        pattern: STAGE_NAME_PATTERN,
        'x-expect': 'lowercase words and dashes starting with a letter, e.g. screen',
      },
      from: obj(
        {
          stage: { type: 'string', minLength: 1, description: 'An earlier stage.' },
          top: int(1, { default: 3, description: 'How many of its best complete trials seed this stage (default 3).' }),
        },
        {
          required: ['stage'],
          description: 'Seed this stage with the best architectures of an earlier stage; they are evaluated first.',
        },
      ),
      objective: objectiveSchema(false),
      space: spaceSchema(),
      strategy: byType('strategy', registries.strategies),
      evaluation: byType('evaluation', registries.evaluators),
      budget: obj(
        {
          trials: int(1),
          time: timeSchema(
            'Wall time searching in this stage (resumes included); the run goes on to the next stage when it is spent.',
          ),
          failures: int(0),
        },
        { description: "This stage's budget; the workflow's budget.time still bounds the whole run." },
      ),
    },
    { required: ['name'] },
  );
  return {
    type: 'array',
    minItems: 1,
    items: stage,
    'x-expect': 'a list of stages, each { name, from?, space?, strategy?, evaluation?, budget?, objective? }',
    description:
      'Multi-stage search: the stages run in order; each overrides sections of the workflow (merged when the type is the same).',
  };
}

/**
 * A copy of a strategy's or evaluator's options schema in which every integer without a maximum gets
 * MAX_OPTION_INT: population sizes, buffers, candidate counts and epochs cannot ask for more.
 */
function boundIntegers(schema: JsonSchema): JsonSchema {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!v || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = k === 'default' || k === 'const' || k === 'enum' ? x : walk(x);
    const t = out.type;
    const integer = t === 'integer' || (Array.isArray(t) && t.includes('integer'));
    if (integer && out.maximum === undefined && out.exclusiveMaximum === undefined) out.maximum = MAX_OPTION_INT;
    return out;
  };
  return walk(schema) as JsonSchema;
}

interface Typed {
  type: string;
  description: string;
  optionsSchema: object;
}

/** `{ type: X, ...options }` where the options schema is the registered one for X. */
function byType(what: string, entries: readonly Typed[]): JsonSchema {
  const types = entries.map((e) => e.type);
  return {
    type: 'object',
    required: ['type'],
    properties: { type: types.length ? { type: 'string', enum: types } : { type: 'string' } },
    allOf: entries.map((e) => {
      const options = boundIntegers(e.optionsSchema as JsonSchema);
      const props = (options.properties ?? {}) as Record<string, JsonSchema>;
      return {
        if: { properties: { type: { const: e.type } }, required: ['type'] },
        then: {
          ...options,
          description: e.description,
          type: 'object',
          properties: { type: { const: e.type }, ...props },
          additionalProperties: options.additionalProperties ?? false,
        },
      };
    }),
    description: `The ${what} type and its options.`,
  };
}

function spaceSchema(): JsonSchema {
  const cell = obj({
    kind: { const: 'cell' },
    preset: { enum: ['nb201'], description: 'nb201: 4 nodes, ops ' + NB201_OPS.join(', ') },
    nodes: int(2, { maximum: MAX_CELL_NODES }),
    ops: list({ type: 'string', minLength: 1 }, { uniqueItems: true, maxItems: MAX_CELL_OPS }),
    skeleton: obj(
      { channels: int(1, { maximum: 4096 }), cells: int(1, { maximum: 64 }), stages: int(1, { maximum: 8 }) },
      { required: ['channels', 'cells', 'stages'] },
    ),
  });
  const chain = obj(
    {
      kind: { const: 'chain' },
      input: list(int(1, { maximum: MAX_SIZE }), {
        maxItems: 3,
        'x-expect': 'a list of 1 to 3 sizes >= 1, e.g. [28, 28, 1], [64] or [steps, features]',
      }),
      tokens: {
        type: 'boolean',
        description: 'The input [length] is token ids (only an embedding reads them); default: true on a text dataset.',
      },
      layers: obj(
        {
          min: int(1, { default: 1, maximum: MAX_LAYERS }),
          max: int(1, { maximum: MAX_LAYERS }),
          choose: chooseSchema(),
        },
        { required: ['max', 'choose'] },
      ),
      hyper: obj(
        Object.fromEntries(Object.keys(HYPER_PARAMS).map((k) => [k, list(valueSchema(k, [HYPER_PARAMS[k].default]))])),
        // one categorical column's embedding size (dataset.categorical)
        { default: {}, patternProperties: { '^embedding_dim\\.[^.]+$': list(int(1)) } },
      ),
    },
    { required: ['input', 'layers'] },
  );
  return {
    type: 'object',
    required: ['kind'],
    properties: { kind: { enum: ['cell', 'chain'] } },
    allOf: [
      { if: { properties: { kind: { const: 'cell' } }, required: ['kind'] }, then: cell },
      { if: { properties: { kind: { const: 'chain' } }, required: ['kind'] }, then: chain },
    ],
  };
}

/** A list of layer types (default choices), or a map type -> { param: [choices] }. */
function chooseSchema(): JsonSchema {
  const types = Object.keys(LAYER_TYPES);
  return {
    type: ['array', 'object'],
    'x-expect': 'a list of layer types or a map type -> { param: [choices] }',
    minItems: 1,
    uniqueItems: true,
    items: { enum: types },
    minProperties: 1,
    additionalProperties: false,
    properties: Object.fromEntries(
      types.map((t) => {
        const params = LAYER_TYPES[t].params;
        const props = Object.fromEntries(Object.keys(params).map((p) => [p, list(valueSchema(p, params[p]))]));
        return [t, { type: ['object', 'null'], additionalProperties: false, properties: props }];
      }),
    ),
  };
}

/** The schema of one choice of a parameter, from its name and its default choices. */
function valueSchema(param: string, defaults: Json[]): JsonSchema {
  if (param === 'activation') return { enum: [...ACTIVATIONS] };
  if (param === 'optimizer') return { enum: ['adam', 'sgd', 'rmsprop', 'adagrad'] };
  if (param === 'rate' || param === 'dropout') return { type: 'number', minimum: 0, exclusiveMaximum: 1 };
  if (param === 'mode') return { enum: ['max', 'avg'] };
  if (param === 'learning_rate') return { type: 'number', exclusiveMinimum: 0 };
  if (param === 'weight_decay') return { type: 'number', minimum: 0 };
  if (defaults.every((d) => typeof d === 'boolean')) return { type: 'boolean' };
  if (defaults.every((d) => Number.isInteger(d))) return int(1, { maximum: MAX_SIZE });
  if (defaults.every((d) => typeof d === 'number')) return { type: 'number', minimum: 0 };
  return { type: 'string' };
}
