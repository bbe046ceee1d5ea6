// nas <verb>: the command line. Every expected problem ends as one clear line and an exit code,
// never a stack trace.

import { parseArgs } from 'node:util';
import { FatalError, WorkflowError } from '../core/errors.js';
import { processIo, UsageError, type Io } from './io.js';
import { validateCommand } from './validate.js';
import { resumeCommand, runCommand } from './run.js';
import { bestCommand, statusCommand } from './inspect.js';
import { metaCommand } from './meta.js';
import { exportCommand } from './export.js';
import { reportCommand } from './report.js';
import { runsCommand } from './runs.js';
import { compareCommand } from './compare.js';
import { initCommand } from './init.js';
import { reproduceCommand } from './reproduce.js';
import { explainCommand } from './explain.js';
import { dashboardCommand } from './dashboard.js';
import { predictCommand } from './predict.js';
import { workerCommand } from './worker.js';
import { initFromData } from './init-from-data.js';

const HELP = `nas — declarative neural architecture search

usage:
  nas validate FILE... [--explain]           check workflows; FILE:LINE:COL: message per problem
                                             (--explain: print the space, the default one when left out)
  nas run FILE [--store PATH] [--json] [--parallel N] [--verbose]
                                             run a search (default store: runs/<name>.sqlite)
  nas resume [--store PATH] [RUN | FILE] [--json]
                                             continue an interrupted run (a grown budget is picked up)
  nas status [--store PATH] [RUN] [--json]   runs, trial counts, best so far, recorded inputs and environment
  nas reproduce [--store PATH] [RUN] [--out NEW_STORE] [--first N] [--json]
                                             rerun a stored run into a new store and compare it trial by
                                             trial; exit 0 identical, 1 with the first difference
  nas best [--store PATH] [--top K] [RUN] [--json]
                                             the best trials of a run
  nas export [--store PATH] [--run N] [--trial N] [--out DIR] [--force] [--json]
                                             copy a trained model (default: the best trial) out
  nas predict --model DIR [--file FILE] [--json] [TEXT...]
                                             classify raw texts (or csv rows) with an exported model;
                                             no TEXT and no --file: one input per line on stdin
  nas report [--store PATH] [RUN] [--out DIR] [--force] [--json]
                                             report.html (plots, self-contained) and report.md of a run
  nas runs [--store PATH] [--json]           every run of a store, one line each
  nas compare [--store PATH] [RUN...] [--json]
                                             runs side by side: best, trials to reach it, best-so-far
  nas explain [--store PATH] [RUN] [--stage NAME] [--json]
                                             which decisions explain the objective, and the best trial's
  nas dashboard [--store PATH ...] [--port N] [--host H] [--new-token]
                                             live, read-only web view of stores (default 127.0.0.1:8080)
  nas init [TEMPLATE] [--out FILE] [--name NAME] [--force]
                                             start a workflow from an example (no TEMPLATE: list them)
  nas init --from-data SOURCE [--out FILE] [--name NAME] [--force]
                                             a workflow with the default space for the data, to edit
  nas meta export SOURCE... [--out FILE] [--top K] [--force]
                                             stores/knowledge files -> a shareable knowledge file
  nas meta show SOURCE...|WORKFLOW.yaml [--json]
                                             what knowledge holds, or what a workflow's meta: transfers
  nas worker --redis URL [--queue NAME] [--threads N] [--lock SECONDS]
                                             train the trials of runs with executor: redis (URL also
                                             from NAS_REDIS_URL); --lock: seconds before a dead
                                             worker's trial is retried elsewhere (default 30)

  --debug (any command): print the stack trace of an internal error
`;

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [verb, ...rest] = argv;
  const debug = rest.includes('--debug');
  try {
    // the dashboard takes repeated --store and flags of its own
    if (verb === 'dashboard') return await dashboardCommand(rest, io);
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        store: { type: 'string' },
        json: { type: 'boolean' },
        top: { type: 'string' },
        parallel: { type: 'string' },
        run: { type: 'string' },
        trial: { type: 'string' },
        out: { type: 'string' },
        name: { type: 'string' },
        first: { type: 'string' },
        verbose: { type: 'boolean', short: 'v' },
        stage: { type: 'string' },
        force: { type: 'boolean' },
        model: { type: 'string' },
        file: { type: 'string' },
        redis: { type: 'string' },
        queue: { type: 'string' },
        threads: { type: 'string' },
        lock: { type: 'string' },
        explain: { type: 'boolean' },
        'from-data': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        debug: { type: 'boolean' },
      },
    });
    const intFlag = (name: string, v: string | undefined) => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer, got "${v}"`);
      return n;
    };
    const numFlag = (name: string, v: string) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number, got "${v}"`);
      return n;
    };
    const flags = {
      store: values.store,
      json: values.json,
      top: intFlag('top', values.top),
      parallel: intFlag('parallel', values.parallel),
      verbose: values.verbose,
      force: values.force,
    };
    switch (verb) {
      case 'validate':
        if (positionals.length === 0) throw new UsageError('usage: nas validate FILE...');
        return await validateCommand(positionals, io, {}, { explain: values.explain === true });
      case 'run':
        return await runCommand(positionals[0], flags, io);
      case 'resume':
        return await resumeCommand(positionals[0], flags, io);
      case 'reproduce':
        return await reproduceCommand(
          positionals[0],
          { ...flags, out: values.out, first: intFlag('first', values.first) },
          io,
        );
      case 'status':
        return statusCommand(positionals[0], flags, io);
      case 'best':
        return bestCommand(positionals[0], flags, io);
      case 'meta':
        return metaCommand(positionals, { ...flags, out: values.out }, io);
      case 'report':
        return reportCommand(positionals[0], { ...flags, out: values.out }, io);
      case 'runs':
        return runsCommand(flags, io);
      case 'compare':
        return compareCommand(positionals, flags, io);
      case 'explain':
        return explainCommand(positionals[0], { ...flags, stage: values.stage }, io);
      case 'init':
        if (values['from-data'] !== undefined)
          return initFromData(
            values['from-data'],
            { out: values.out, name: values.name, json: values.json, force: values.force },
            io,
          );
        return initCommand(
          positionals[0],
          { out: values.out, name: values.name, json: values.json, force: values.force },
          io,
        );
      case 'export':
        return exportCommand(
          { ...flags, run: intFlag('run', values.run), trial: intFlag('trial', values.trial), out: values.out },
          io,
        );
      case 'predict':
        return await predictCommand(positionals, { model: values.model, file: values.file, json: values.json }, io);
      case 'worker':
        return await workerCommand(
          {
            ...(values.redis !== undefined ? { redis: values.redis } : {}),
            ...(values.queue !== undefined ? { queue: values.queue } : {}),
            ...(values.threads !== undefined ? { threads: intFlag('threads', values.threads) } : {}),
            ...(values.lock !== undefined ? { lock: numFlag('lock', values.lock) } : {}),
          },
          io,
        );
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(HELP);
        return verb === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${verb}"\n${HELP}`);
    }
  } catch (e) {
    if (e instanceof WorkflowError) {
      io.stderr.write(e.message + '\n');
      return 1;
    }
    if (
      e instanceof UsageError ||
      e instanceof FatalError ||
      (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      io.stderr.write(`nas: ${(e as Error).message}\n`);
      return e instanceof UsageError || !(e instanceof FatalError) ? 2 : 1;
    }
    io.stderr.write(internalError(e, debug));
    return 70;
  }
}

/** A bug's report: one line by default, the stack (causes included) with --debug. */
export function internalError(e: unknown, debug: boolean): string {
  if (!debug) {
    return `nas: internal error: ${e instanceof Error ? e.message : String(e)} (run again with --debug for the stack trace)\n`;
  }
  let text = `nas: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
  for (
    let c = e instanceof Error ? e.cause : undefined;
    c !== undefined;
    c = c instanceof Error ? c.cause : undefined
  ) {
    text += `\ncaused by: ${c instanceof Error ? (c.stack ?? c.message) : String(c)}`;
  }
  return text + '\n';
}
