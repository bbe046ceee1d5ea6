// Names shared by the coordinator and the workers beyond BullMQ's own keys.

/** Set by the coordinator to stop a job (pruning, time budget, Ctrl-C); workers poll it between batches. */
export const cancelKey = (queue: string, jobId: string): string => `nas:${queue}:cancel:${jobId}`;

/** How long a cancel mark lives: longer than any job waits or runs after being cancelled. */
export const CANCEL_TTL_S = 24 * 3600;

/**
 * A job's id: the run token, stage, trial number and the attempt's seed. Deterministic, so a resumed
 * coordinator finds the jobs its killed predecessor queued (BullMQ adds no second job under an id it
 * holds), and each retry is a job of its own. BullMQ forbids ':' in custom ids.
 */
export function jobIdOf(run: string, trial: number, seed: number): string {
  return `${run}.${trial}.${seed}`;
}
