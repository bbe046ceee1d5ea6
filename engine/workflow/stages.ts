// Validation of `stages:`. A stage overrides sections of the workflow (objective, space, strategy,
// evaluation, budget): a section of the same type (kind) is deep-merged over the workflow's, one of
// another type replaces it. The merge happens before the schema, so a stage's sections are validated
// as complete sections; problems inside values the stage inherits are reported once, where they are
// written. `from: { stage, top }` must name an earlier stage.

import { semanticIssues, type CheckContext } from './checks.js';
import { deepMerge } from './extends.js';
import { STAGE_SECTIONS } from './schema.js';
import type { DataPath, Issue } from './source.js';
import { didYouMean } from './suggest.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isSection = (s: unknown): s is (typeof STAGE_SECTIONS)[number] =>
  (STAGE_SECTIONS as readonly unknown[]).includes(s);

/** Merges each stage's sections over the workflow's, in place (before schema validation). */
export function premergeStages(data: Obj): void {
  if (!Array.isArray(data.stages)) return;
  for (const st of data.stages) {
    if (!isObj(st)) continue;
    for (const sec of STAGE_SECTIONS) {
      if (st[sec] !== undefined) st[sec] = mergeSection(sec, data[sec], st[sec]);
    }
  }
}

function mergeSection(sec: string, base: unknown, over: unknown): unknown {
  if (!isObj(base) || !isObj(over)) return over;
  // budget.time is the whole run's; a stage's own time is only what the stage writes
  if (sec === 'budget') {
    const { time: _runTime, ...perStage } = base;
    return deepMerge(perStage, over);
  }
  if ((sec === 'strategy' || sec === 'evaluation') && over.type !== undefined && over.type !== base.type) return over;
  if (sec === 'space' && over.kind !== undefined && over.kind !== base.kind) return over;
  return deepMerge(base, over);
}

/** Sections a workflow must have, at top level or in every one of its stages. */
const REQUIRED_SECTIONS = ['space', 'strategy', 'evaluation'] as const;

/**
 * Required sections the workflow leaves to its stages (after premergeStages): when the top level
 * lacks one and some stage sets it, the first such stage's value stands in at top level (for the
 * schema, and as the run's own section), and each stage that lacks it too gets the problem, at the
 * stage. Returns the sections supplied this way: issues inside their top-level copies are the
 * stage's to report.
 */
export function supplyFromStages(data: Obj): { supplied: string[]; issues: Issue[] } {
  const supplied: string[] = [];
  const issues: Issue[] = [];
  const stages = data.stages;
  if (!Array.isArray(stages) || stages.length === 0) return { supplied, issues };
  for (const sec of REQUIRED_SECTIONS) {
    if (data[sec] !== undefined) continue;
    const first = stages.find((st) => isObj(st) && st[sec] !== undefined) as Obj | undefined;
    if (!first) continue; // missing everywhere: the schema reports it at top level
    data[sec] = structuredClone(first[sec]);
    supplied.push(sec);
    stages.forEach((st, i) => {
      if (!isObj(st) || st[sec] !== undefined) return;
      const name = typeof st.name === 'string' ? st.name : String(i);
      issues.push({
        path: ['stages', i, sec],
        at: 'missing',
        message: `stage "${name}" needs "${sec}": the workflow has none at top level to inherit (set it here or at the top)`,
      });
    });
  }
  return { supplied, issues };
}

/**
 * Whether an issue should be reported: issues inside a stage's section about values the stage only
 * inherits are dropped (the workflow's own section reports them where they are written).
 */
export function keepStageIssue(issue: Issue, has: (path: DataPath) => boolean): boolean {
  const p = issue.path;
  if (p[0] !== 'stages' || typeof p[1] !== 'number' || p.length < 3 || !isSection(p[2])) return true;
  if (issue.at === 'missing') return has(p.slice(0, -1));
  return has(p);
}

/** Stage names, `from` references, and the semantic checks of each stage's merged sections. */
export function stageIssues(data: Obj, ctx: CheckContext, baseIssues: Issue[]): Issue[] {
  const stages = data.stages;
  if (!Array.isArray(stages)) return [];
  const issues: Issue[] = [];
  const all = stages.map((s) => (isObj(s) && typeof s.name === 'string' ? s.name : undefined));
  const names: string[] = [];
  const seenBase = new Set(baseIssues.map((i) => JSON.stringify([i.path, i.message])));
  stages.forEach((st, i) => {
    if (!isObj(st)) return;
    const here: DataPath = ['stages', i];
    const name = typeof st.name === 'string' ? st.name : undefined;
    if (name !== undefined && !ctx.broken([...here, 'name']) && names.includes(name)) {
      issues.push({
        path: [...here, 'name'],
        at: 'value',
        message: `stage name "${name}" is used twice; stage names must be unique`,
      });
    }
    const from = st.from;
    if (
      isObj(from) &&
      typeof from.stage === 'string' &&
      !ctx.broken([...here, 'from', 'stage']) &&
      !names.includes(from.stage)
    ) {
      const ref = from.stage;
      const later = all.indexOf(ref) >= i;
      issues.push({
        path: [...here, 'from', 'stage'],
        at: 'value',
        message: later
          ? `stages[${i}].from.stage "${ref}" is not an earlier stage; a stage can only start from the stages before it` +
            (names.length ? ` (${names.join(', ')})` : '')
          : `stages[${i}].from.stage "${ref}" names no stage${didYouMean(ref, names)}` +
            (names.length ? ` (earlier stages: ${names.join(', ')})` : ' (this is the first stage: remove from)'),
      });
    }
    if (name !== undefined) names.push(name);

    // The stage as a workflow of its own: the workflow's sections with the stage's merged in.
    const view: Obj = { ...data };
    delete view.stages;
    for (const sec of STAGE_SECTIONS) if (st[sec] !== undefined) view[sec] = st[sec];
    const own = (sec: unknown) => isSection(sec) && st[sec] !== undefined;
    const mapPath = (p: DataPath): DataPath => (own(p[0]) ? [...here, ...p] : p);
    const sub = semanticIssues(view, {
      ...ctx,
      broken: (p) => ctx.broken(mapPath(p)),
      given: (p) => ctx.given(mapPath(p)),
    });
    for (const issue of sub) {
      let path = mapPath(issue.path);
      let at = issue.at;
      if (path[0] === 'objective' && own('evaluation')) {
        // the stage changed the evaluation but kept the workflow's objective: point at the stage
        path = [...here, 'evaluation', 'type'];
        at = 'value';
      }
      if (path[0] === 'stages' && !ctx.given(path) && issue.at !== 'missing') {
        // about a value the stage inherits (e.g. the evaluation's type): point at the stage's section
        path = path.slice(0, 3);
        at = 'key';
      }
      if (path[0] !== 'stages' && seenBase.has(JSON.stringify([issue.path, issue.message]))) continue; // reported once, by the workflow
      const message = `stage "${name ?? i}": ${issue.message}`;
      issues.push({ path, at, message });
    }
  });
  return issues;
}
