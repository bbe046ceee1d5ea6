// The plain-JSON messages of the Redis executor: a job (one trial attempt, sent by the coordinator) and
// its result (returned by a `nas worker`). Both are checked against a JSON Schema on arrival, so a
// worker never runs anything a malformed or foreign job asks for: it fails that trial instead.

import { Ajv, type ValidateFunction } from 'ajv';
import { TrialError } from '../../core/errors.js';
import type { Arch, CurvePoint, JsonObject, Metrics, Objective } from '../../core/types.js';
import type { DatasetConfig, EvaluationConfig, SpaceConfig } from '../../core/workflow.js';

export const PAYLOAD_VERSION = 1;

/** A file the dataset reads, named by its content (sha256 hex) so a worker can check or fetch it. */
export interface DataFile {
  path: string;
  sha256: string;
  bytes: number;
}

/** The dataset of a job: the workflow's section plus the content hash of what it reads. */
export interface DatasetRef {
  config: DatasetConfig;
  /** sha256 over the files' hashes: the identity a worker caches the loaded data under. */
  sha256: string;
  files: DataFile[];
}

/** What a remote evaluator needs of the workflow (the rest of it stays with the coordinator). */
export interface RemoteWorkflow {
  name: string;
  seed: number;
  objective: Objective;
  space: SpaceConfig;
  evaluation: EvaluationConfig;
  dataset?: DatasetRef;
}

export interface RemoteJob {
  v: typeof PAYLOAD_VERSION;
  /** The run (and stage) this attempt belongs to: runs sharing a queue never see each other's results. */
  run: string;
  kind: 'evaluate' | 'supernet';
  workflow: RemoteWorkflow;
  job: { trial: number; arch: Arch; key: string; seed: number; attempt: number };
}

export type RemoteResult =
  | { ok: true; metrics: Metrics; curve?: CurvePoint[]; info?: JsonObject; worker: string }
  | { ok: false; error: string; retryable: boolean; worker: string; cancelled?: boolean };

const metrics = { type: 'object', additionalProperties: { type: 'number' } };
const curve = {
  type: 'array',
  items: {
    type: 'object',
    required: ['step', 'metrics'],
    properties: { step: { type: 'number' }, metrics },
  },
};

const JOB_SCHEMA = {
  type: 'object',
  required: ['v', 'run', 'kind', 'workflow', 'job'],
  additionalProperties: false,
  properties: {
    v: { const: PAYLOAD_VERSION },
    run: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,200}$' },
    kind: { enum: ['evaluate', 'supernet'] },
    workflow: {
      type: 'object',
      required: ['name', 'seed', 'objective', 'space', 'evaluation'],
      additionalProperties: false,
      properties: {
        name: { type: 'string' },
        seed: { type: 'integer', minimum: 0 },
        objective: {
          type: 'object',
          required: ['metric', 'mode'],
          properties: { metric: { type: 'string' }, mode: { enum: ['max', 'min'] } },
        },
        space: { type: 'object', required: ['kind'], properties: { kind: { type: 'string' } } },
        evaluation: { type: 'object', required: ['type'], properties: { type: { type: 'string', minLength: 1 } } },
        dataset: {
          type: 'object',
          required: ['config', 'sha256', 'files'],
          additionalProperties: false,
          properties: {
            config: { type: 'object', required: ['source'], properties: { source: { type: 'string' } } },
            sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
            files: {
              type: 'array',
              items: {
                type: 'object',
                required: ['path', 'sha256', 'bytes'],
                additionalProperties: false,
                properties: {
                  path: { type: 'string', minLength: 1 },
                  sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
                  bytes: { type: 'integer', minimum: 0 },
                },
              },
            },
          },
        },
      },
    },
    job: {
      type: 'object',
      required: ['trial', 'arch', 'key', 'seed', 'attempt'],
      additionalProperties: false,
      properties: {
        trial: { type: 'integer', minimum: 1 },
        arch: {},
        key: { type: 'string' },
        seed: { type: 'integer', minimum: 0 },
        attempt: { type: 'integer', minimum: 1 },
      },
    },
  },
};

const RESULT_SCHEMA = {
  type: 'object',
  required: ['ok', 'worker'],
  properties: { ok: { type: 'boolean' }, worker: { type: 'string' } },
  if: { properties: { ok: { const: true } } },
  then: { required: ['metrics'], properties: { metrics, curve, info: { type: 'object' } } },
  else: { required: ['error', 'retryable'], properties: { error: { type: 'string' }, retryable: { type: 'boolean' } } },
};

let validators: { job: ValidateFunction; result: ValidateFunction } | undefined;
function compiled(): { job: ValidateFunction; result: ValidateFunction } {
  if (!validators) {
    const ajv = new Ajv({ allErrors: false, strict: false });
    validators = { job: ajv.compile(JOB_SCHEMA), result: ajv.compile(RESULT_SCHEMA) };
  }
  return validators;
}

function firstProblem(v: ValidateFunction): string {
  const e = v.errors?.[0];
  return e ? `${e.instancePath || '/'} ${e.message ?? 'is invalid'}` : 'is invalid';
}

/** A job as a worker receives it; a malformed one is a failed trial that is not retried. */
export function parseJob(data: unknown): RemoteJob {
  const v = compiled().job;
  if (!v(data)) throw new TrialError(`malformed job payload: ${firstProblem(v)}`, false);
  return data as RemoteJob;
}

/** A worker's result as the coordinator receives it; a malformed one fails the attempt (retryable). */
export function parseResult(data: unknown): RemoteResult {
  const v = compiled().result;
  if (!v(data)) throw new TrialError(`malformed result from a worker: ${firstProblem(v)}`, true);
  return data as RemoteResult;
}
