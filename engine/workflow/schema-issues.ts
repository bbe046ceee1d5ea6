// Validates parsed workflow data against the assembled schema (ajv) and turns ajv's errors into one
// readable issue per problem: unknown keys with did-you-mean, missing keys, and "X must be Y, got Z".

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { JsonSchema } from './schema.js';
import { type DataPath, type Issue, showPath } from './source.js';
import { didYouMean } from './suggest.js';

const compiled = new Map<string, ValidateFunction>();

/** Compiles (once per distinct schema) a validator that also fills in schema defaults. */
export function compileSchema(schema: JsonSchema): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    // strict off: the schema carries x-path / x-expect annotations and union types on purpose.
    const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: false });
    validate = ajv.compile(schema);
    compiled.set(key, validate);
  }
  return validate;
}

/** Validates `data` in place (defaults are written into it) and returns its problems. */
export function schemaIssues(validate: ValidateFunction, data: unknown): Issue[] {
  validate(data);
  const errors = validate.errors ?? [];
  const issues = new Map<string, Issue>();
  // Errors about a value: keep the outermost per place, it describes the whole expected value.
  const valueErrors = new Map<string, ErrorObject>();
  for (const e of errors) {
    const path = toPath(e.instancePath);
    if (e.keyword === 'if') continue;
    // Unknown strategy/evaluation types get a better message from the semantic checks.
    if (e.keyword === 'enum' && path.length === 2 && path[1] === 'type') continue;
    if (e.keyword === 'additionalProperties') {
      const prop = String((e.params as { additionalProperty: string }).additionalProperty);
      const full = [...path, prop];
      issues.set('k' + JSON.stringify(full), { path: full, at: 'key', message: unknownKey(full, e.parentSchema) });
    } else if (e.keyword === 'required') {
      const prop = String((e.params as { missingProperty: string }).missingProperty);
      const full = [...path, prop];
      issues.set('m' + JSON.stringify(full), { path: full, at: 'missing', message: missingKey(full, e.parentSchema) });
    } else if (e.keyword === 'uniqueItems') {
      const { i, j } = e.params as { i: number; j: number };
      const at = [...path, Math.max(i, j)];
      const item = (e.data as unknown[])[Math.max(i, j)];
      issues.set('u' + JSON.stringify(at), {
        path: at,
        at: 'value',
        message: `${showPath(path)} lists ${show(item)} twice; remove one`,
      });
    } else {
      const prev = valueErrors.get(e.instancePath);
      if (!prev || e.schemaPath.length < prev.schemaPath.length) valueErrors.set(e.instancePath, e);
    }
  }
  for (const [place, e] of valueErrors) {
    const path = toPath(place);
    issues.set('v' + place, { path, at: 'value', message: valueMessage(path, e) });
  }
  return [...issues.values()];
}

function toPath(pointer: string): DataPath {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function unknownKey(full: DataPath, parent: unknown): string {
  const allowed = Object.keys(((parent as JsonSchema | undefined)?.properties ?? {}) as object);
  const name = String(full[full.length - 1]);
  const hint = didYouMean(name, allowed) || ` (allowed: ${allowed.join(', ')})`;
  const owner = full[full.length - 2];
  if (owner === 'choose' && full[full.length - 3] === 'layers') return `unknown layer type "${name}"${hint}`;
  if (full[full.length - 3] === 'choose') return `layer type "${String(owner)}" has no parameter "${name}"${hint}`;
  return `unknown key "${showPath(full)}"${hint}`;
}

function missingKey(full: DataPath, parent: unknown): string {
  const props = ((parent as JsonSchema | undefined)?.properties ?? {}) as Record<string, JsonSchema>;
  const schema = props[String(full[full.length - 1])];
  const what = schema ? describe(schema) : 'valid';
  // Mappings say nothing useful here; their own required keys are reported once they exist.
  return what === 'valid' || what === OBJECT
    ? `missing required key "${showPath(full)}"`
    : `missing required key "${showPath(full)}" (${what})`;
}

function valueMessage(path: DataPath, e: ErrorObject): string {
  const schema = (e.parentSchema ?? {}) as JsonSchema;
  if (e.keyword === 'enum' && path[path.length - 2] === 'choose' && typeof e.data === 'string') {
    const known = schema.enum as string[];
    return `unknown layer type "${e.data}"${didYouMean(e.data, known) || ` (known: ${known.join(', ')})`}`;
  }
  let msg = `${showPath(path)} must be ${describe(schema)}, got ${show(e.data)}`;
  if (e.keyword === 'enum' && typeof e.data === 'string')
    msg += didYouMean(e.data, (schema.enum as unknown[]).map(String));
  return msg;
}

const OBJECT = 'a mapping of keys';

/** How to describe a valid value of `s` in a message ("an integer >= 1", "one of max, min"). */
export function describe(s: JsonSchema): string {
  if (typeof s['x-expect'] === 'string') return s['x-expect'];
  if (s['x-path'] === 'file') return 'a file path, relative to the workflow file';
  if (Array.isArray(s.enum)) return `one of ${s.enum.join(', ')}`;
  if ('const' in s) return JSON.stringify(s.const);
  const types = Array.isArray(s.type) ? (s.type as string[]) : typeof s.type === 'string' ? [s.type] : [];
  if (types.length !== 1) return types.length ? types.join(' or ') : 'valid';
  switch (types[0]) {
    case 'integer':
      return 'an integer' + range(s);
    case 'number':
      return 'a number' + range(s);
    case 'string':
      return s.minLength ? 'a non-empty string' : 'a string';
    case 'boolean':
      return 'true or false';
    case 'object':
      return OBJECT;
    case 'array': {
      const base = s.minItems ? 'a non-empty list' : 'a list';
      return s.items && typeof s.items === 'object' ? `${base} (each ${describe(s.items as JsonSchema)})` : base;
    }
    default:
      return types[0];
  }
}

function range(s: JsonSchema): string {
  const parts: string[] = [];
  if (typeof s.minimum === 'number') parts.push(`>= ${s.minimum}`);
  if (typeof s.exclusiveMinimum === 'number') parts.push(`> ${s.exclusiveMinimum}`);
  if (typeof s.maximum === 'number') parts.push(`<= ${s.maximum}`);
  if (typeof s.exclusiveMaximum === 'number') parts.push(`< ${s.exclusiveMaximum}`);
  return parts.length ? ' ' + parts.join(' and ') : '';
}

/** A value as it should appear after "got". */
export function show(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) {
    const json = JSON.stringify(v).replace(/,/g, ', ');
    return v.length === 0 ? 'an empty list' : json.length <= 40 ? json : 'a list';
  }
  if (typeof v === 'object') return 'a mapping';
  return JSON.stringify(v);
}
