// Durations in a workflow: a number of seconds, or a string like "90s", "20m", "1h30m", "1.5h".

/** Accepted duration strings (one or more of h, m, s in that order). */
export const DURATION_PATTERN = '^(?=\\d)(\\d+(\\.\\d+)?h)?(\\d+(\\.\\d+)?m)?(\\d+(\\.\\d+)?s)?$';

const UNIT: Record<string, number> = { h: 3600, m: 60, s: 1 };

/** Seconds, or undefined when `value` is not a duration. */
export function parseDuration(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (!new RegExp(DURATION_PATTERN).test(value)) return undefined;
  let total = 0;
  for (const m of value.matchAll(/(\d+(?:\.\d+)?)([hms])/g)) total += Number(m[1]) * UNIT[m[2]];
  return total;
}
