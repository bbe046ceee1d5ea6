// Ctrl-C (SIGINT) or SIGTERM stops a search cleanly: running trials are abandoned and stay
// `running` in the store, so `nas resume` evaluates them again. A second Ctrl-C exits at once;
// the store is still consistent then, since every change is one transaction.

import type { Io } from './io.js';

export function interruptSignal(io: Io): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    io.stderr.write(`\n${sig}: stopping after the running trials are abandoned (again to exit now)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
