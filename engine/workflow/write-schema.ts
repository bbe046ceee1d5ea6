// Regenerates workflows/workflow.schema.json (the schema editors use) from the registries:
//   node dist/engine/workflow/write-schema.js
// A test fails when the committed file differs from what the registries give now.

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildWorkflowSchema } from './schema.js';
import type { Registries } from './registries.js';

/** Where the published schema lives, from the package root. */
export const SCHEMA_FILE = fileURLToPath(new URL('../../../workflows/workflow.schema.json', import.meta.url));

export function schemaText(registries?: Registries): string {
  return JSON.stringify(buildWorkflowSchema(registries), null, 2) + '\n';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(SCHEMA_FILE, schemaText());
  console.log(`wrote ${SCHEMA_FILE}`);
}
