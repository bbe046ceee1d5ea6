// Regenerates workflows/workflow.schema.json (the schema editors use) from the registries:
//   node dist/engine/workflow/write-schema.js
// A test fails when the committed file differs from what the registries give now.

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildWorkflowSchema, type JsonSchema } from './schema.js';
import type { Registries } from './registries.js';

/** Where the published schema lives, from the package root. */
export const SCHEMA_FILE = fileURLToPath(new URL('../../../workflows/workflow.schema.json', import.meta.url));

export function schemaText(registries?: Registries): string {
  return JSON.stringify(publishedSchema(registries), null, 2) + '\n';
}

/**
 * The schema for editors. `space`, `strategy` and `evaluation` may come from the stages instead of
 * the top level (each stage then sets them); nas itself copies them up before its own schema runs
 * (stages.ts supplyFromStages), but an editor sees the file as written.
 */
export function publishedSchema(registries?: Registries): JsonSchema {
  // the engine's own rule for `space` (required unless a dataset is given: then a default is picked)
  // joins the stage alternative below
  const { if: _if, then: _then, ...schema } = buildWorkflowSchema(registries);
  const sections = ['space', 'strategy', 'evaluation'];
  const required = (schema.required as string[]).filter((k) => !sections.includes(k));
  return {
    ...schema,
    required,
    allOf: sections.map((k) => ({
      anyOf: [
        { required: [k] },
        { required: ['stages'], properties: { stages: { type: 'array', minItems: 1, items: { required: [k] } } } },
        ...(k === 'space' ? [{ required: ['dataset'] }] : []),
      ],
    })),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(SCHEMA_FILE, schemaText());
  console.log(`wrote ${SCHEMA_FILE}`);
}
