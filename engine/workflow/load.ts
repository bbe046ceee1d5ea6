// Loading a workflow file: YAML with positions -> schema (with defaults) -> semantic checks -> config.
// Every problem found is reported at once, each at the exact place in the file.

import { dirname, resolve } from 'node:path';
import { WorkflowError, type WorkflowProblem } from '../core/errors.js';
import { semanticIssues } from './checks.js';
import { fillDefaultSpace } from './default-space.js';
import { toConfig } from './config.js';
import { defaultRegistries, type Registries } from './registries.js';
import { buildWorkflowSchema } from './schema.js';
import { compileSchema, schemaIssues } from './schema-issues.js';
import { type DataPath, type Issue, WorkflowSource } from './source.js';
import { resolveExtends, SourceChain } from './extends.js';
import { keepStageIssue, premergeStages, stageIssues, supplyFromStages } from './stages.js';
import type { WorkflowConfig } from '../core/workflow.js';
import { readWorkflowText } from './read.js';

/** Problems reported for one file at most. */
const MAX_PROBLEMS = 100;

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
  const read = readWorkflowText(file);
  if ('problem' in read) return { problems: [{ file, line: 1, col: 1, message: read.problem }] };
  return checkWorkflowText(read.text, file, opts);
}

/** Validates workflow `text`; `file` names it in problems and anchors its relative paths. */
export function checkWorkflowText(text: string, file: string, opts: LoadOptions = {}): CheckResult {
  const registries = opts.registries ?? defaultRegistries();
  const source = new WorkflowSource(text);
  const problems: WorkflowProblem[] = source.yamlIssues.map((y) => ({ file, ...y }));
  if (!source.usable) return { problems };

  let data = source.data() ?? {};
  let chain = new SourceChain([{ file, source }]);
  let bases: string[] = [];
  let baseTexts: string[] = [];
  if (isObj(data) && typeof data.extends === 'string') {
    const ext = resolveExtends(file, source, data, registries);
    chain = ext.chain;
    if (!ext.data) return { problems: sortProblems([...problems, ...ext.problems], file) };
    problems.push(...ext.problems);
    data = ext.data;
    bases = ext.bases;
    baseTexts = ext.texts;
  }
  const absFile = resolve(file);
  // no space: the default for the dataset's kind of input (loads the data to see its shape), unless
  // every stage brings its own
  const stagesSupplySpace =
    isObj(data) &&
    Array.isArray(data.stages) &&
    data.stages.length > 0 &&
    data.stages.every((s) => isObj(s) && 'space' in s);
  const defaulted =
    isObj(data) && !chain.has(['space']) && !stagesSupplySpace ? fillDefaultSpace(data, dirname(absFile)) : undefined;
  let supplied: string[] = [];
  const stageGaps: Issue[] = [];
  if (isObj(data)) {
    premergeStages(data);
    const s = supplyFromStages(data);
    supplied = s.supplied;
    stageGaps.push(...s.issues);
  }
  const issues = schemaIssues(compileSchema(buildWorkflowSchema(registries)), data);
  if (defaulted?.problem) issues.push({ path: ['dataset', 'source'], at: 'value', message: defaulted.problem });
  if (isObj(data)) {
    const broken = (path: DataPath): boolean => issues.some((i) => startsWith(i.path, path));
    const given = (path: DataPath): boolean => chain.has(path);
    const ctx = { dir: dirname(absFile), registries, broken, given };
    const base = semanticIssues(data, ctx);
    issues.push(...base, ...stageIssues(data, ctx, base), ...stageGaps);
  }
  const seen = new Set<string>();
  let shown = 0;
  for (const issue of issues) {
    // locating is linear in the file: a generated file with 100k bad keys would take minutes
    if (++shown > MAX_PROBLEMS) {
      problems.push({ file, line: 1, col: 1, message: `more than ${MAX_PROBLEMS} problems; fix these first` });
      break;
    }
    if (!keepStageIssue(issue, (p) => chain.has(p))) continue;
    // a section copied up from the first stage that sets it: the stage reports its problems
    if (supplied.includes(String(issue.path[0]))) continue;
    const problem = { ...chain.locate(issue), message: issue.message };
    const k = JSON.stringify(problem);
    if (seen.has(k)) continue;
    seen.add(k);
    problems.push(problem);
  }
  if (problems.length) return { problems: sortProblems(problems, file) };
  const config = toConfig(data as Record<string, unknown>, absFile, text, baseTexts);
  if (bases.length) config.extends = bases;
  if (defaulted?.kind) config.defaultSpace = defaulted.kind;
  return { config, problems };
}

/** The workflow's own file first, then in file order. */
function sortProblems(problems: WorkflowProblem[], file: string): WorkflowProblem[] {
  return problems.sort(
    (a, b) =>
      Number(a.file !== file) - Number(b.file !== file) ||
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.col - b.col,
  );
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function startsWith(path: DataPath, prefix: DataPath): boolean {
  return prefix.length <= path.length && prefix.every((s, i) => s === path[i]);
}
