const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * The wait before each attempt, the first included (immediately), as Svix and the Standard
 * Webhooks spec schedule them: eleven attempts over about three and a half days, so a partner
 * that is down for a long weekend still gets every response.
 */
export const RETRY_SCHEDULE_MS: readonly number[] = Object.freeze([
  0,
  5 * SECOND,
  5 * MINUTE,
  30 * MINUTE,
  2 * HOUR,
  5 * HOUR,
  10 * HOUR,
  10 * HOUR,
  14 * HOUR,
  20 * HOUR,
  24 * HOUR,
]);

/** Each wait is moved by up to this share either way, so retries after an outage do not arrive together. */
export const RETRY_JITTER = 0.2;

/** A partner's `Retry-After` is honoured up to this long; a larger one would stall its queue. */
export const MAX_RETRY_AFTER_MS = 24 * HOUR;

/**
 * How long to wait before the next attempt, given how many attempts have been made (0 before
 * the first), or `undefined` when the schedule is used up and the delivery is dead-lettered.
 * `random` returns a number in [0, 1). A `Retry-After` from the partner wins when it is longer.
 */
export function nextAttemptDelayMs(
  attemptsMade: number,
  random: () => number,
  retryAfterMs?: number,
): number | undefined {
  const planned = RETRY_SCHEDULE_MS[attemptsMade];
  if (planned === undefined) return undefined;
  const jittered = Math.round(planned * (1 + RETRY_JITTER * (2 * random() - 1)));
  const asked = Math.min(Math.max(retryAfterMs ?? 0, 0), MAX_RETRY_AFTER_MS);
  return Math.max(jittered, asked);
}

/**
 * `Retry-After` in milliseconds from now: the header holds seconds or an HTTP date.
 * `undefined` when absent or unreadable; 0 for a date already past.
 */
export function parseRetryAfterMs(header: string | undefined, now: Date): number | undefined {
  const value = header?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value) * SECOND;
  // An HTTP date names its month in letters; this keeps `-5` from parsing as the year -5.
  const at = /[A-Za-z]{3}/.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(at - now.getTime(), 0);
}
