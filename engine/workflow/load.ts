// Loading a workflow file: YAML with positions -> schema (with defaults) -> semantic checks -> config.
// Every problem found is reported at once, each at the exact place in the file.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { WorkflowError, type WorkflowProblem } from '../errors.js';
import { semanticIssues } from './checks.js';
import { toConfig } from './config.js';
import { defaultRegistries, type Registries } from './registries.js';
import { buildWorkflowSchema } from './schema.js';
import { compileSchema, schemaIssues } from './schema-issues.js';
import { type DataPath, type Issue, WorkflowSource } from './source.js';
import type { WorkflowConfig } from './types.js';

export interface LoadOptions {
  /** Strategies and evaluators to validate against (default: the registries). */
  registries?: Registries;
}

export interface CheckResult {
  /** Present only when there are no problems. */
  config?: WorkflowConfig;
  problems: WorkflowProblem[];
}

/** Loads and validates a workflow; throws a WorkflowError listing every problem. */
export function loadWorkflow(file: string, opts: LoadOptions = {}): WorkflowConfig {
  const { config, problems } = checkWorkflowFile(file, opts);
  if (!config) throw new WorkflowError(problems);
  return config;
}

/** Every problem of a workflow file (empty when it is valid). */
export function validateWorkflowFile(file: string, opts: LoadOptions = {}): WorkflowProblem[] {
  return checkWorkflowFile(file, opts).problems;
}

export function checkWorkflowFile(file: string, opts: LoadOptions = {}): CheckResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `cannot read it (${String(e)})`;
    return { problems: [{ file, line: 1, col: 1, message: why }] };
  }
  return checkWorkflowText(text, file, opts);
}

/** Validates workflow `text`; `file` names it in problems and anchors its relative paths. */
export function checkWorkflowText(text: string, file: string, opts: LoadOptions = {}): CheckResult {
  const registries = opts.registries ?? defaultRegistries();
  const source = new WorkflowSource(text);
  const problems: WorkflowProblem[] = source.yamlIssues.map((y) => ({ file, ...y }));
  if (!source.usable) return { problems };

  const data = source.data() ?? {};
  const issues = schemaIssues(compileSchema(buildWorkflowSchema(registries)), data);
  const absFile = resolve(file);
  if (typeof data === 'object' && !Array.isArray(data)) {
    const broken = (path: DataPath): boolean => issues.some((i) => startsWith(i.path, path));
    const given = (path: DataPath): boolean => source.has(path);
    issues.push(...semanticIssues(data as Record<string, unknown>, { dir: dirname(absFile), registries, broken, given }));
  }
  problems.push(...issues.map((i) => toProblem(file, source, i)));
  problems.sort((a, b) => a.line - b.line || a.col - b.col);
  if (problems.length) return { problems };
  return { config: toConfig(data as Record<string, unknown>, absFile, text), problems };
}

function toProblem(file: string, source: WorkflowSource, issue: Issue): WorkflowProblem {
  return { file, ...source.locate(issue), message: issue.message };
}

function startsWith(path: DataPath, prefix: DataPath): boolean {
  return prefix.length <= path.length && prefix.every((s, i) => s === path[i]);
}
