// Timers the search loop can rely on. Node's setTimeout silently fires at once for a delay above
// 2^31-1 ms (about 24.8 days), so a `time: 600h` budget would end a run immediately; a deadline is
// armed in chunks of at most that size and checked against the clock when a chunk fires.

/** The largest delay setTimeout honours. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Calls `fire` once when the wall clock passes `at` (ms since the epoch). Returns a cancel function. */
export function atDeadline(at: number, fire: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const left = at - Date.now();
    if (left <= 0) {
      timer = undefined;
      fire();
      return;
    }
    timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
  };
  arm();
  return () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
}

/**
 * Resolves after the current macrotask queue has run (timers, signal handlers, I/O callbacks).
 * An evaluator whose promise is already settled (a benchmark table lookup) would otherwise keep the
 * loop in microtasks forever, and Ctrl-C or the time budget would never be seen.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
