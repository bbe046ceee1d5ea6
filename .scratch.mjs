import { checkWorkflowFile } from './dist/engine/workflow/load.js';
const regs = {
  strategies: [{ type: 'random', description: 'r', optionsSchema: { type: 'object', additionalProperties: false, properties: {} } },
   { type: 'regularized-evolution', description: 'r', optionsSchema: { type: 'object', additionalProperties: false, properties: { population: { type: 'integer', minimum: 2, default: 20 }, sample: { type: 'integer', minimum: 1, default: 5 } } } }],
  evaluators: [{ type: 'benchmark', description: 'b', optionsSchema: { type: 'object', additionalProperties: false, required: ['table', 'metric'], properties: { table: { type: 'string', 'x-path': 'file' }, metric: { type: 'string' } } }, metrics: (o) => [o.metric] }],
};
const r = checkWorkflowFile(process.argv[2], { registries: regs });
for (const p of r.problems) console.log(`${p.file}:${p.line}:${p.col}: ${p.message}`);
if (r.config) console.log(JSON.stringify({ ...r.config, source: { ...r.config.source, text: '...' } }, null, 1));
