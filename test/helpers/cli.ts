// Runs the command line in this process with captured output (fast), or as a child process (for
// what only a real process shows: exit codes of the binary, signals, stack traces on stderr).

import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { main } from '../../engine/cli/main.js';
import { NAS_BIN } from './paths.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function capture() {
  let text = '';
  const stream = new Writable({ write: (c, _e, cb) => ((text += c.toString()), cb()) });
  return { stream, text: () => text };
}

/** `nas ARGS` in this process. */
export async function nas(args: string[]): Promise<CliResult> {
  const out = capture();
  const err = capture();
  const code = await main(args, { stdout: out.stream, stderr: err.stream });
  return { code, stdout: out.text(), stderr: err.text() };
}

/** `nas ARGS` as a child process, killed after `timeoutMs`. */
export function nasProcess(args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): CliResult {
  const r = spawnSync(process.execPath, [NAS_BIN, ...args], {
    encoding: 'utf8',
    cwd: opts.cwd,
    timeout: opts.timeoutMs ?? 60_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Whether `stderr` is what the CLI promises for a problem: one line, no stack trace. */
export function oneLine(stderr: string): boolean {
  const lines = stderr.trimEnd().split('\n');
  return lines.length === 1 && !/^\s+at /m.test(stderr) && !/internal error/.test(stderr);
}
