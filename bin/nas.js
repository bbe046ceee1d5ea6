#!/usr/bin/env node
import { main } from '../dist/engine/cli/main.js';
// A reader that went away (`nas runs | head`) is not an error of ours: stop quietly, not with a stack trace.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
