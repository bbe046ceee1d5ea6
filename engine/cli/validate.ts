// `nas validate FILE... [--explain]`: every problem of every file as FILE:LINE:COL: message, exit 1 if any.

import { formatProblem } from '../core/errors.js';
import { readableYaml } from './yaml-out.js';
import { checkWorkflowFile, type LoadOptions } from '../workflow/load.js';

export interface Output {
  write(text: string): unknown;
}

/** Exit code 0 when every file is valid (`FILE: ok` on stdout), else 1 with every problem on stderr. */
export async function validateCommand(
  files: string[],
  io: { stdout: Output; stderr: Output },
  opts: LoadOptions = {},
  flags: { explain?: boolean } = {},
): Promise<number> {
  if (files.length === 0) {
    io.stderr.write('usage: nas validate FILE...\n');
    return 1;
  }
  let failed = false;
  for (const file of files) {
    const { config, problems } = checkWorkflowFile(file, opts);
    if (problems.length === 0) io.stdout.write(`${file}: ok\n`);
    if (config && flags.explain) {
      // the space the search will use: as written, or the default chosen for the data
      const why = config.defaultSpace ? `left out: the default space for ${config.defaultSpace} input` : 'as written';
      io.stdout.write(`space (${why}):\n${readableYaml({ space: config.space })}`);
      if (config.defaultSpace && config.evaluation.head === 'flatten')
        io.stdout.write('evaluation.head: flatten (set with the default space: the classifier sees the whole map)\n');
    }
    for (const p of problems) io.stderr.write(formatProblem(p) + '\n');
    failed ||= problems.length > 0;
  }
  return failed ? 1 : 0;
}
