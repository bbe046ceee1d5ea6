// The JSON Schema of a knowledge file (`nas meta export`). Knowledge files travel between people, so
// everything in one is checked before use, with a bound on every size: a file cannot make the engine
// allocate more than a search of its own workflow would (its space uses the workflow's space schema
// and limits), and a null or mistyped field is one clear line instead of a TypeError.

import { buildWorkflowSchema, type JsonSchema } from '../workflow/schema.js';
import { KNOWLEDGE_FORMAT } from './types.js';

/** Bounds on a knowledge file. */
export const KNOWLEDGE_LIMITS = {
  /** Bytes read from a knowledge file at most. */
  bytes: 64 * 1024 * 1024,
  tasks: 1000,
  trialsPerTask: 100_000,
  decisions: 10_000,
  choicesPerDecision: 1000,
  metrics: 100,
  text: 10_000,
};

const L = KNOWLEDGE_LIMITS;
const text = (maxLength = L.text): JsonSchema => ({ type: 'string', maxLength });
const metrics: JsonSchema = {
  type: 'object',
  maxProperties: L.metrics,
  additionalProperties: { type: 'number' },
};

let schema: JsonSchema | undefined;

export function knowledgeSchema(): JsonSchema {
  if (schema) return schema;
  const workflow = buildWorkflowSchema() as { properties: Record<string, JsonSchema> };
  const task: JsonSchema = {
    type: 'object',
    required: ['task', 'space', 'objective', 'trials'],
    properties: {
      id: text(),
      name: text(200),
      task: {
        type: 'object',
        required: ['kind', 'evaluation'],
        properties: {
          kind: { enum: ['table', 'dataset', 'other'] },
          evaluation: text(200),
          table: text(),
          metric: text(200),
          source: text(),
          features: {
            type: 'object',
            maxProperties: 64,
            additionalProperties: { type: ['number', 'array'], maxItems: 8 },
          },
        },
      },
      space: workflow.properties.space,
      decisions: {
        type: 'object',
        maxProperties: L.decisions,
        additionalProperties: { type: 'array', maxItems: L.choicesPerDecision, items: text(1000) },
      },
      objective: {
        type: 'object',
        required: ['metric', 'mode'],
        properties: { metric: text(200), mode: { enum: ['max', 'min'] } },
      },
      trials: {
        type: 'array',
        maxItems: L.trialsPerTask,
        items: {
          type: 'object',
          required: ['key', 'arch', 'score', 'metrics'],
          properties: {
            key: text(),
            arch: { type: 'object', maxProperties: 1000 },
            score: { type: 'number' },
            metrics,
          },
        },
      },
      evaluated: { type: 'integer', minimum: 0 },
    },
  };
  schema = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    required: ['format', 'version', 'tasks'],
    properties: {
      format: { const: KNOWLEDGE_FORMAT },
      version: { type: 'integer', minimum: 1 },
      created: text(100),
      info: { type: 'object' },
      tasks: { type: 'array', maxItems: L.tasks, items: task },
    },
  };
  return schema;
}
