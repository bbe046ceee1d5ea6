// Checks the schema cannot express (registry lookups, files on disk, relations between keys), and the
// normalisation that goes with them: paths made absolute, presets and default layer choices filled in.
// Each check skips a part that already has schema problems, so one mistake is reported once.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Json, JsonObject } from '../core/types.js';
import { LAYER_TYPES, flowsAfter, inputFlow, type Flow } from '../space/layers.js';
import { defaultMode, metricTask, REGRESSION_METRICS } from '../core/task.js';
import { parseDuration } from './duration.js';
import type { Registries } from './registries.js';
import { NB201_OPS } from './schema.js';
import { type DataPath, type Issue, showPath } from './source.js';
import { didYouMean } from './suggest.js';
import { parallelProblem } from './limits.js';
import { CELL_OP_FORMS, CELL_OP_PATTERN } from '../space/cell.js';

export interface CheckContext {
  /** The workflow file's directory: relative paths resolve against it. */
  dir: string;
  registries: Registries;
  /** True when the schema already reported a problem at or under `path`. */
  broken(path: DataPath): boolean;
  /** True when the file itself sets the value at `path` (not a default). */
  given(path: DataPath): boolean;
}

type Obj = Record<string, unknown>;

/** Metrics the engine measures on the built (untrained) model when the workflow has a dataset. */
export const ENGINE_METRICS = ['params', 'flops', 'latency'];
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Runs every check on schema-validated, defaulted `data`, rewriting it in place; returns the problems. */
export function semanticIssues(data: Obj, ctx: CheckContext): Issue[] {
  const issues: Issue[] = [];
  checkStrategy(data, ctx, issues);
  checkEvaluation(data, ctx, issues);
  checkText(data, ctx, issues);
  checkSpace(data, ctx, issues);
  checkCellOps(data, ctx, issues);
  checkExecutor(data, ctx, issues);
  checkTask(data, ctx, issues);
  checkTestSplit(data, ctx, issues);
  checkCategorical(data, ctx, issues);
  if (isObj(data.dataset) && typeof data.dataset.source === 'string' && !ctx.broken(['dataset', 'source'])) {
    const m = /^(csv|idx|json|audio):(.+)$/.exec(data.dataset.source);
    const abs = m && checkFile(m[2], ['dataset', 'source'], ctx, issues);
    if (m && abs) data.dataset.source = `${m[1]}:${abs}`;
  }
  if (isObj(data.meta) && Array.isArray(data.meta.from) && !ctx.broken(['meta', 'from'])) {
    const from = data.meta.from as string[];
    from.forEach((f, i) => (from[i] = checkFile(f, ['meta', 'from', i], ctx, issues) ?? f));
  }
  if (typeof data.parallel === 'number' && !ctx.broken(['parallel'])) {
    const problem = parallelProblem(data.parallel);
    if (problem) issues.push({ path: ['parallel'], at: 'value', message: problem });
  }
  if (isObj(data.budget) && typeof data.budget.time === 'string' && !ctx.broken(['budget', 'time'])) {
    if (parseDuration(data.budget.time) === 0) {
      issues.push({
        path: ['budget', 'time'],
        at: 'value',
        message: `budget.time must be longer than 0, got "${data.budget.time}"`,
      });
    }
  }
  return issues;
}

/** A redis executor names its server exactly once: `url`, or `url_env` (read at run time, not here). */
function checkExecutor(data: Obj, ctx: CheckContext, issues: Issue[]): void {
  const x = data.executor;
  if (!isObj(x) || ctx.broken(['executor'])) return;
  const given = ['url', 'url_env'].filter((k) => x[k] !== undefined);
  if (x.type === 'redis' && given.length !== 1) {
    issues.push({
      path: ['executor', 'type'],
      at: 'value',
      message:
        given.length === 0
          ? 'executor type "redis" needs its server: add url: redis://HOST:PORT (or url_env: NAS_REDIS_URL)'
          : 'executor: give url or url_env, not both',
    });
  }
  if (x.type === 'local')
    for (const k of [...given, ...(ctx.given(['executor', 'queue']) ? ['queue'] : [])])
      issues.push({ path: ['executor', k], at: 'key', message: `executor.${k} only applies to type "redis"` });
}

/** The absolute path of an existing file, or undefined after reporting that it is missing. */
function checkFile(file: string, path: DataPath, ctx: CheckContext, issues: Issue[]): string | undefined {
  const abs = resolve(ctx.dir, file);
  if (existsSync(abs)) return abs;
  issues.push({
    path,
    at: 'value',
    message: `${showPath(path)}: file "${file}" not found (paths are relative to the workflow file: ${ctx.dir})`,
  });
  return undefined;
}

/** Makes every string marked `"x-path": "file"` in `schema` absolute, reporting missing files. */
function checkPaths(
  schema: unknown,
  value: unknown,
  path: DataPath,
  ctx: CheckContext,
  issues: Issue[],
  set: (v: string) => void,
): void {
  if (!isObj(schema)) return;
  if (schema['x-path'] === 'file' && typeof value === 'string') {
    const abs = checkFile(value, path, ctx, issues);
    if (abs) set(abs);
    return;
  }
  if (isObj(value) && isObj(schema.properties)) {
    for (const [k, sub] of Object.entries(schema.properties)) {
      if (k in value) checkPaths(sub, value[k], [...path, k], ctx, issues, (v) => (value[k] = v));
    }
  } else if (Array.isArray(value) && isObj(schema.items)) {
    value.forEach((item, i) => checkPaths(schema.items, item, [...path, i], ctx, issues, (v) => (value[i] = v)));
  }
}

function unknownType(what: 'strategy' | 'evaluation', noun: string, type: string, known: string[]): Issue {
  const list = known.length ? known.join(', ') : 'none registered';
  return {
    path: [what, 'type'],
    at: 'value',
    message: `${what}.type "${type}" is not ${noun}${didYouMean(type, known)} (known: ${list})`,
  };
}

function checkStrategy(data: Obj, ctx: CheckContext, issues: Issue[]): void {
  const s = data.strategy;
  if (!isObj(s) || typeof s.type !== 'string') return;
  const def = ctx.registries.strategies.find((d) => d.type === s.type);
  if (!def) {
    issues.push(
      unknownType(
        'strategy',
        'a strategy',
        s.type,
        ctx.registries.strategies.map((d) => d.type),
      ),
    );
  } else if (!ctx.broken(['strategy'])) {
    checkPaths(def.optionsSchema, s, ['strategy'], ctx, issues, () => {});
  }
}

function checkEvaluation(data: Obj, ctx: CheckContext, issues: Issue[]): void {
  const e = data.evaluation;
  if (!isObj(e) || typeof e.type !== 'string') return;
  const def = ctx.registries.evaluators.find((d) => d.type === e.type);
  if (!def) {
    issues.push(
      unknownType(
        'evaluation',
        'an evaluator',
        e.type,
        ctx.registries.evaluators.map((d) => d.type),
      ),
    );
    return;
  }
  if (def.needsDataset && data.dataset === undefined) {
    issues.push({
      path: ['evaluation', 'type'],
      at: 'value',
      message: `evaluation type "${e.type}" works on data: add dataset: { source: builtin:mnist } (or csv:PATH, ...)`,
    });
  }
  if (ctx.broken(['evaluation'])) return;
  checkPaths(def.optionsSchema, e, ['evaluation'], ctx, issues, () => {});
  if (ctx.broken(['objective'])) return;
  let reported: string[];
  try {
    reported = def.metrics(e as JsonObject);
  } catch {
    return; // options the evaluator cannot read were reported by the schema
  }
  // params, flops and latency of a buildable model are measured by the engine (constraints, objectives)
  if (data.dataset !== undefined) reported = [...new Set([...reported, ...ENGINE_METRICS])];
  const list = reported.join(', ');
  if (Array.isArray(data.objective)) {
    data.objective.forEach((o, i) => {
      if (!isObj(o) || typeof o.metric !== 'string' || reported.includes(o.metric)) return;
      issues.push({
        path: ['objective', i, 'metric'],
        at: 'value',
        message: `objective[${i}].metric "${o.metric}" is not reported by evaluation ${e.type}${didYouMean(o.metric, reported)} (it reports: ${list})`,
      });
    });
    return;
  }
  const objective = data.objective;
  if (!isObj(objective) || typeof objective.metric !== 'string') return;
  if (reported.includes(objective.metric)) return;
  issues.push(
    ctx.given(['objective', 'metric'])
      ? {
          path: ['objective', 'metric'],
          at: 'value',
          message: `objective.metric "${objective.metric}" is not reported by evaluation ${e.type}${didYouMean(objective.metric, reported)} (it reports: ${list})`,
        }
      : {
          path: ['evaluation', 'type'],
          at: 'value',
          message: `objective.metric defaults to "${objective.metric}", which evaluation ${e.type} does not report; set objective.metric to one of: ${list}`,
        },
  );
}

/**
 * A cell op must be one the evaluator can evaluate: for a benchmark, an op of its table's
 * architectures; otherwise one the model builder builds. (An unknown op once passed validation and
 * then failed every trial until the failure budget was spent.)
 */
function checkCellOps(data: Obj, ctx: CheckContext, issues: Issue[]): void {
  const space = data.space;
  if (!isObj(space) || space.kind !== 'cell' || !Array.isArray(space.ops) || ctx.broken(['space'])) return;
  const e = data.evaluation;
  const def =
    isObj(e) && !ctx.broken(['evaluation']) ? ctx.registries.evaluators.find((d) => d.type === e.type) : undefined;
  let known: string[] | undefined;
  try {
    known = def?.cellOps?.(e as JsonObject);
  } catch {
    known = undefined;
  }
  space.ops.forEach((op, i) => {
    if (typeof op !== 'string') return;
    if (known && !known.includes(op)) {
      issues.push({
        path: ['space', 'ops', i],
        at: 'value',
        message: `cell op "${op}" is in no architecture of the benchmark table (its ops: ${known.join(', ')})`,
      });
    } else if (!known && !CELL_OP_PATTERN.test(op)) {
      issues.push({
        path: ['space', 'ops', i],
        at: 'value',
        message: `unknown cell op "${op}"; the model builder knows ${CELL_OP_FORMS} (e.g. nor_conv_3x3)`,
      });
    }
  });
}

/**
 * Objectives against the task: a regression metric (mse, mae, rmse, r2) on a dataset declared
 * classification, or accuracy on one declared regression, would never be reported; and a regression
 * metric optimised the wrong way round is a mistake (min for r2, max for the errors).
 */
function checkTask(data: Obj, ctx: CheckContext, issues: Issue[]): void {
  if (ctx.broken(['objective'])) return;
  const task = isObj(data.dataset) && !ctx.broken(['dataset', 'task']) ? data.dataset.task : undefined;
  const list = Array.isArray(data.objective) ? data.objective : [data.objective];
  list.forEach((o, i) => {
    if (!isObj(o) || typeof o.metric !== 'string') return;
    const at: DataPath = Array.isArray(data.objective) ? ['objective', i] : ['objective'];
    const wants = metricTask(o.metric);
    if (typeof task === 'string' && wants && wants !== task && ctx.given([...at, 'metric'])) {
      issues.push({
        path: [...at, 'metric'],
        at: 'value',
        message: `${showPath([...at, 'metric'])} "${o.metric}" is a ${wants} metric, but dataset.task is ${task}; use ${task === 'regression' ? REGRESSION_METRICS.join(', ') : 'accuracy'} or loss`,
      });
    }
    const bare = o.metric.replace(/^test_/, '');
    if ((REGRESSION_METRICS as readonly string[]).includes(bare) && typeof o.mode === 'string') {
      const right = defaultMode(bare);
      if (o.mode !== right) {
        issues.push({
          path: [...at, 'mode'],
          at: 'value',
          message: `${showPath([...at, 'mode'])}: ${o.metric} is ${right === 'min' ? 'lower' : 'higher'} when better; use mode: ${right} (or leave mode out)`,
        });
      }
    }
  });
}

/** split.test leaves training rows, and only trained models (the train evaluator's kept ones) can be tested. */
function checkTestSplit(data: Obj, ctx: CheckContext, issues: Issue[]): void {
  const split = isObj(data.dataset) ? data.dataset.split : undefined;
  if (!isObj(split) || typeof split.test !== 'number' || ctx.broken(['dataset', 'split'])) return;
  const validation = typeof split.validation === 'number' ? split.validation : 0.2;
  if (validation + split.test >= 1) {
    issues.push({
      path: ['dataset', 'split', 'test'],
      at: 'value',
      message: `dataset.split.test: validation (${validation}) + test (${split.test}) leaves no training rows; make their sum less than 1`,
    });
  }
  const stages = Array.isArray(data.stages) ? data.stages : [];
  const last = stages.length && isObj(stages[stages.length - 1]) ? (stages[stages.length - 1] as Obj) : data;
  const e = isObj(last.evaluation) ? last.evaluation : data.evaluation;
  if (isObj(e) && typeof e.type === 'string' && e.type !== 'train') {
    issues.push({
      path: ['dataset', 'split', 'test'],
      at: 'key',
      message: `dataset.split.test needs trained models to test, but the ${stages.length ? 'final stage' : 'workflow'}'s evaluation is ${e.type}; use evaluation type train or remove test`,
    });
  }
}

/** `embedding_dim.COLUMN` names a column of dataset.categorical; categorical columns belong to a flat table. */
function checkCategorical(data: Obj, ctx: CheckContext, issues: Issue[]): void {
  const cat =
    isObj(data.dataset) && Array.isArray(data.dataset.categorical) ? data.dataset.categorical.map(String) : [];
  const space = isObj(data.space) ? data.space : undefined;
  if (!space || space.kind !== 'chain' || ctx.broken(['space'])) return;
  if (isObj(space.hyper)) {
    for (const key of Object.keys(space.hyper)) {
      const m = /^embedding_dim\.(.+)$/.exec(key);
      if (!m || cat.includes(m[1])) continue;
      issues.push({
        path: ['space', 'hyper', key],
        at: 'key',
        message: `space.hyper.${key}: "${m[1]}" is not in dataset.categorical${cat.length ? ` (${cat.join(', ')})` : ' (none listed)'}${didYouMean(m[1], cat)}`,
      });
    }
  }
  if (cat.length > 0 && Array.isArray(space.input) && space.input.length !== 1) {
    issues.push({
      path: ['space', 'input'],
      at: 'value',
      message: `dataset.categorical needs a flat table input [columns], but space.input is [${space.input.join(', ')}]`,
    });
  }
}

function checkSpace(data: Obj, ctx: CheckContext, issues: Issue[]): void {
  const space = data.space;
  if (!isObj(space) || ctx.broken(['space', 'kind'])) return;
  if (space.kind === 'cell' && !ctx.broken(['space'])) {
    if (space.preset === 'nb201') {
      space.nodes ??= 4;
      space.ops ??= [...NB201_OPS];
    }
    for (const key of ['nodes', 'ops']) {
      if (space[key] === undefined) {
        issues.push({
          path: ['space', key],
          at: 'missing',
          message: `missing required key "space.${key}" (or set preset: nb201)`,
        });
      }
    }
  }
  if (space.kind !== 'chain' || !isObj(space.layers)) return;
  const layers = space.layers;
  const ok = (key: string) => !ctx.broken(['space', 'layers', key]);
  if (
    ok('min') &&
    ok('max') &&
    typeof layers.min === 'number' &&
    typeof layers.max === 'number' &&
    layers.min > layers.max
  ) {
    issues.push({
      path: ['space', 'layers', 'max'],
      at: 'value',
      message: `space.layers.max must be >= space.layers.min (${layers.min}), got ${layers.max}`,
    });
  }
  const listed = Array.isArray(layers.choose) ? layers.choose.map(String) : null;
  const types = listed ?? (isObj(layers.choose) ? Object.keys(layers.choose) : []);
  const input = space.input;
  if (Array.isArray(input) && !ctx.broken(['space', 'input']) && !ctx.broken(['space', 'tokens'])) {
    const choices = (type: string) =>
      !listed && isObj(layers.choose) && isObj(layers.choose[type])
        ? (layers.choose[type] as Record<string, Json[]>)
        : {};
    const flow = inputFlow(input as number[], space.tokens === true);
    const reached = reachableFlows(flow, types, choices);
    const at = (type: string): Issue['path'] => ['space', 'layers', 'choose', listed ? listed.indexOf(type) : type];
    if (flow === 'tokens' && !types.includes('embedding')) {
      // one problem, not one per type that could only follow the missing embedding
      issues.push({
        path: ['space', 'layers', 'choose'],
        at: 'key',
        message: `space.input is token ids, which only an embedding reads: add embedding to space.layers.choose`,
      });
    } else {
      for (const type of types) {
        const info = LAYER_TYPES[type];
        if (!info || info.accepts.some((f) => reached.has(f))) continue;
        issues.push({
          path: at(type),
          at: listed ? 'value' : 'key',
          message: misplaced(type, flow, input as number[]),
        });
      }
    }
  }
  if (ok('choose')) layers.choose = normaliseChoose(layers.choose);
}

/** The flows some chain of the chosen types can produce from `start` (the types' parameter choices decide recurrent outputs). */
function reachableFlows(start: Flow, types: string[], choices: (type: string) => Record<string, Json[]>): Set<Flow> {
  const reached = new Set<Flow>([start]);
  for (let grew = true; grew;) {
    grew = false;
    for (const type of types) {
      if (!LAYER_TYPES[type]) continue;
      for (const from of [...reached]) {
        for (const to of flowsAfter(type, from, choices(type))) {
          if (!reached.has(to)) {
            reached.add(to);
            grew = true;
          }
        }
      }
    }
  }
  return reached;
}

const FLOW_NAMES: Record<Flow, string> = {
  flat: 'a flat vector',
  image: 'a spatial input [height, width, channels]',
  sequence: 'a sequence [steps, features]',
  tokens: 'token ids',
};

/** Why `type` can never be placed in a chain starting with `flow`, and how to fix it. */
function misplaced(type: string, flow: Flow, input: number[]): string {
  const accepts = LAYER_TYPES[type].accepts;
  const shown = `[${input.join(', ')}]${flow === 'tokens' ? ' (token ids)' : ''}`;
  if (accepts.length === 1 && accepts[0] === 'image') {
    return `layer type "${type}" needs a spatial input [height, width, channels], but space.input is ${shown}; remove it or use a 3-D input`;
  }
  if (accepts.length === 1 && accepts[0] === 'tokens') {
    return `layer type "${type}" reads token ids, but space.input is ${shown}; remove it, or use a text dataset (dataset.text, builtin:spam) with input [length]`;
  }
  const need = accepts.map((f) => FLOW_NAMES[f]).join(' or ');
  const hint =
    flow === 'tokens'
      ? 'add an embedding first'
      : 'remove it, use a sequence input [steps, features], or a text dataset with an embedding';
  return `layer type "${type}" needs ${need}, which no layer of this space gives on input ${shown} (nothing turns ${FLOW_NAMES[flow]} back into one); ${hint}`;
}

/**
 * Text datasets (a csv `text` column, builtin:spam): fills in the tokenizer's defaults and the
 * space's `tokens`, and checks that the chain's input is [tokenizer.length].
 */
function checkText(data: Obj, ctx: CheckContext, issues: Issue[]): void {
  const ds = data.dataset;
  if (!isObj(ds) || typeof ds.source !== 'string' || ctx.broken(['dataset'])) return;
  if (ds.source === 'builtin:spam') ds.text ??= 'text';
  const isText = typeof ds.text === 'string';
  if (!isText) {
    if (ds.tokenizer !== undefined) {
      issues.push({
        path: ['dataset', 'tokenizer'],
        at: 'key',
        message: `dataset.tokenizer needs a text column: add dataset.text: COLUMN (a csv source) or use builtin:spam`,
      });
    }
    const space = data.space;
    if (isObj(space) && space.tokens === true && !ctx.broken(['space', 'tokens'])) {
      issues.push({
        path: ['space', 'tokens'],
        at: 'value',
        message: `space.tokens needs a text dataset (dataset.text: COLUMN of a csv, or builtin:spam); ${ds.source} has no text`,
      });
    }
    return;
  }
  if (!/^(csv:|builtin:spam$)/.test(ds.source)) {
    issues.push({
      path: ['dataset', 'text'],
      at: 'key',
      message: `dataset.text needs a csv source (csv:PATH) or builtin:spam, got ${ds.source}`,
    });
    return;
  }
  const tok = isObj(ds.tokenizer) ? ds.tokenizer : {};
  ds.tokenizer = {
    level: 'word',
    vocab: 20000,
    length: 200,
    lowercase: true,
    punctuation: false,
    keep: 'first',
    ...tok,
  };
  const length = (ds.tokenizer as Obj).length as number;
  const space = data.space;
  if (!isObj(space) || space.kind !== 'chain' || ctx.broken(['space', 'input']) || ctx.broken(['space', 'tokens']))
    return;
  space.tokens ??= true;
  const input = space.input;
  if (space.tokens === true && Array.isArray(input) && !(input.length === 1 && input[0] === length)) {
    issues.push({
      path: ['space', 'input'],
      at: 'value',
      message: `space.input must be [${length}] for this text dataset (token ids, dataset.tokenizer.length ${length}), got [${input.join(', ')}]`,
    });
  }
}

/** List form -> map with default choices; map form -> missing parameters filled with defaults. */
function normaliseChoose(choose: unknown): Record<string, Record<string, Json[]>> {
  const out: Record<string, Record<string, Json[]>> = {};
  const entries: [string, unknown][] = Array.isArray(choose)
    ? choose.map((t) => [String(t), null])
    : isObj(choose)
      ? Object.entries(choose)
      : [];
  for (const [type, given] of entries) {
    const defaults = LAYER_TYPES[type]?.params ?? {};
    out[type] = { ...structuredClone(defaults), ...(isObj(given) ? (given as Record<string, Json[]>) : {}) };
  }
  return out;
}
