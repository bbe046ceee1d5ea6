import { checkWorkflowFile } from './dist/engine/workflow/load.js';
import { registries } from './dist/test/workflow-registries.js';
for (const f of process.argv.slice(2)) for (const p of checkWorkflowFile(f, { registries: registries() }).problems) console.log(`${p.line}:${p.col}: ${p.message}`);
