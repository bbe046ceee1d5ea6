// --verbose: facts about the run that are not per-trial progress, each printed once on stderr (today:
// how backend 'auto' fell back when tfjs-node did not load, as the workers report it with a trial).

import type { SearchEvent } from '../search/loop.js';
import { line, type Io } from './io.js';

export function withVerbose(
  verbose: boolean | undefined,
  io: Io,
  onEvent: (e: SearchEvent) => void,
): (e: SearchEvent) => void {
  if (!verbose) return onEvent;
  const seen = new Set<string>();
  return (e) => {
    const note = e.type === 'trial-finished' ? e.trial.info?.backend_note : undefined;
    if (typeof note === 'string' && !seen.has(note)) {
      seen.add(note); // every worker reports it; one line is enough
      line(io.stderr, note);
    }
    onEvent(e);
  };
}
