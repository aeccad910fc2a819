/**
 * Quiet hours are wall-clock times in the flow's time zone ("no texts from 20:00 to 09:00
 * in London"), so they are evaluated on local time, not on a fixed UTC offset: a reminder
 * due at 08:30 local is held until 09:00 local in winter and in summer alike.
 *
 * Only `Intl` is used. The offset of a zone at an instant is read back from
 * `Intl.DateTimeFormat`; turning a local wall time into an instant tries the offsets in
 * force a day either side, which covers the two daylight-saving cases:
 *
 * - a wall time that happens twice (autumn, 01:00–02:00 in London) yields two instants and
 *   the earlier one after `at` is taken, so quiet hours end at the first 09:00 (or 01:30);
 * - a wall time that never happens (spring, 01:00–02:00 in London) yields none, and the
 *   instant the clocks jump is taken: from then on the local time is past `to`.
 */

export interface QuietHours {
  /** Local 'HH:MM' at which quiet hours start (inclusive). */
  readonly from: string;
  /** Local 'HH:MM' at which quiet hours end (exclusive). */
  readonly to: string;
}

export type QuietHoursErrorCode = 'invalid_quiet_hours' | 'invalid_time_zone';

/** A flow's quiet hours or time zone could not be used; the flow validator should have caught it. */
export class QuietHoursError extends Error {
  constructor(
    readonly code: QuietHoursErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'QuietHoursError';
  }
}

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/**
 * `at` itself when it is outside the quiet window in `timeZone`'s local time, otherwise the
 * first instant at which the local time reaches `quietHours.to` (and is not quiet again). A
 * window may wrap midnight (20:00–09:00); `from` equal to `to` means no quiet hours.
 */
export function nextAllowedTime(
  at: Date,
  quietHours: QuietHours | undefined,
  timeZone: string,
): Date {
  if (quietHours === undefined) return at;
  const fromMs = parseClock(quietHours.from);
  const toMs = parseClock(quietHours.to);
  if (fromMs === toMs) return at;

  const zone = zoneClock(timeZone);
  const isQuiet = (instant: number): boolean =>
    insideWindow(mod(zone.wallTime(instant), DAY_MS), fromMs, toMs);
  if (!isQuiet(at.getTime())) return at;

  // Usually the first `to` ends it. When the clocks skip the whole allowed stretch (a window
  // such as 02:01-02:00 on a spring-forward night), the jump lands inside quiet hours again
  // and the next day's `to` is the end.
  let instant = at.getTime();
  for (let round = 0; round < 3; round++) {
    instant = nextLocalClock(zone, instant, toMs);
    if (!isQuiet(instant)) return new Date(instant);
  }
  // Unreachable for real zones (at most one transition a day); fail loudly rather than spam.
  throw new QuietHoursError(
    'invalid_time_zone',
    `could not find the end of quiet hours in time zone '${timeZone}'`,
  );
}

/**
 * The first instant after `after` at which the local time reaches `clockMs` (ms after local
 * midnight): today's, or tomorrow's when today's has passed. Of a repeated hour's two
 * instants, the first one after `after` is taken.
 */
function nextLocalClock(zone: ZoneClock, after: number, clockMs: number): number {
  const wall = zone.wallTime(after);
  const localMidnight = wall - mod(wall, DAY_MS);
  for (const day of [localMidnight, localMidnight + DAY_MS, localMidnight + 2 * DAY_MS]) {
    const next = zone.instantsOf(day + clockMs).find((candidate) => candidate > after);
    if (next !== undefined) return next;
  }
  throw new QuietHoursError(
    'invalid_time_zone',
    `could not find local ${clockMs / MINUTE_MS} minutes past midnight in '${zone.timeZone}'`,
  );
}

/**
 * When each reminder is due: `from` plus each delay, moved out of quiet hours. The result
 * has one entry per delay, in the same order; two reminders can land on the same instant
 * when both fall in one quiet night.
 */
export function reminderTimes(
  from: Date,
  delaysMs: readonly number[],
  quietHours: QuietHours | undefined,
  timeZone: string,
): Date[] {
  return delaysMs.map((delay) =>
    nextAllowedTime(new Date(from.getTime() + delay), quietHours, timeZone),
  );
}

function insideWindow(timeOfDay: number, fromMs: number, toMs: number): boolean {
  return fromMs < toMs
    ? timeOfDay >= fromMs && timeOfDay < toMs
    : timeOfDay >= fromMs || timeOfDay < toMs;
}

/** Milliseconds after local midnight for 'HH:MM'. */
function parseClock(clock: string): number {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(clock);
  if (match === null) {
    throw new QuietHoursError('invalid_quiet_hours', `'${clock}' is not a time such as 09:00`);
  }
  return (Number(match[1]) * 60 + Number(match[2])) * MINUTE_MS;
}

function mod(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor;
}

/**
 * One clock per zone for the life of the process: building an `Intl.DateTimeFormat` costs far
 * more than using one, and every message of a flow with quiet hours asks. Flows name few zones.
 */
const ZONE_CLOCKS = new Map<string, ZoneClock>();

function zoneClock(timeZone: string): ZoneClock {
  let zone = ZONE_CLOCKS.get(timeZone);
  if (zone === undefined) {
    zone = new ZoneClock(timeZone);
    ZONE_CLOCKS.set(timeZone, zone);
  }
  return zone;
}

/**
 * Converts between instants and local wall times in one zone. A wall time is represented
 * as the epoch milliseconds of the same calendar fields read as UTC, so that arithmetic
 * on it (midnight, + 'HH:MM') is plain subtraction and addition.
 */
class ZoneClock {
  private readonly format: Intl.DateTimeFormat;

  constructor(readonly timeZone: string) {
    try {
      this.format = new Intl.DateTimeFormat('en-GB', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch (error) {
      throw new QuietHoursError('invalid_time_zone', `'${timeZone}' is not a time zone`, {
        cause: error,
      });
    }
  }

  wallTime(instant: number): number {
    return instant + this.offsetAt(instant);
  }

  /** Local minus UTC at `instant`, in milliseconds (+3 600 000 for London in summer). */
  offsetAt(instant: number): number {
    const fields: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
    for (const part of this.format.formatToParts(instant)) {
      if (part.type !== 'literal') fields[part.type] = Number(part.value);
    }
    const wholeSecond = instant - mod(instant, 1000);
    const asUtc = Date.UTC(
      fields.year ?? 0,
      (fields.month ?? 1) - 1,
      fields.day ?? 1,
      fields.hour ?? 0,
      fields.minute ?? 0,
      fields.second ?? 0,
    );
    return asUtc - wholeSecond;
  }

  /**
   * Every instant whose local time is `wall`, earliest first: usually one, two in a repeated
   * hour. In a skipped hour, the single instant at which the clocks jump past `wall`.
   */
  instantsOf(wall: number): number[] {
    const offsetBefore = this.offsetAt(wall - DAY_MS);
    const offsetAfter = this.offsetAt(wall + DAY_MS);
    const found = new Set<number>();
    for (const offset of [offsetBefore, offsetAfter]) {
      const candidate = wall - offset;
      if (this.offsetAt(candidate) === offset) found.add(candidate);
    }
    if (found.size > 0) return [...found].sort((a, b) => a - b);
    return [this.transitionBetween(wall - offsetAfter, wall - offsetBefore)];
  }

  /**
   * The first instant in (`before`, `after`] with `after`'s offset, found by bisection:
   * `before` still has the old offset and `after` the new one.
   */
  private transitionBetween(before: number, after: number): number {
    const newOffset = this.offsetAt(after);
    let low = before;
    let high = after;
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);
      if (this.offsetAt(middle) === newOffset) high = middle;
      else low = middle;
    }
    return high;
  }
}
