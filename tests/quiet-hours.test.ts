import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  nextAllowedTime,
  QuietHoursError,
  reminderTimes,
  type QuietHours,
} from '../src/jobs/quiet-hours.js';

const LONDON = 'Europe/London';
const NEW_YORK = 'America/New_York';
const KOLKATA = 'Asia/Kolkata';
const NIGHT: QuietHours = { from: '20:00', to: '09:00' };
const LUNCH: QuietHours = { from: '12:00', to: '14:00' };

interface Case {
  readonly name: string;
  readonly at: string;
  readonly quiet: QuietHours | undefined;
  readonly zone: string;
  /** Expected result; `at` itself when omitted (outside quiet hours). */
  readonly expected?: string;
}

// Instants are UTC. London is UTC+0 in winter (GMT) and UTC+1 in summer (BST). In 2026 the
// clocks go forward at 01:00 UTC on 29 March (01:00 GMT becomes 02:00 BST: local 01:00-02:00
// never happens) and back at 01:00 UTC on 25 October (02:00 BST becomes 01:00 GMT: local
// 01:00-02:00 happens twice, 00:00-01:00 UTC in BST and 01:00-02:00 UTC in GMT).
const cases: readonly Case[] = [
  // Winter in London: local time is UTC.
  { name: 'before a night window', at: '2026-01-15T19:59:59.999Z', quiet: NIGHT, zone: LONDON },
  {
    name: 'exactly at `from` is quiet',
    at: '2026-01-15T20:00:00.000Z',
    quiet: NIGHT,
    zone: LONDON,
    expected: '2026-01-16T09:00:00.000Z',
  },
  {
    name: 'late evening moves to next morning',
    at: '2026-01-15T23:30:00.000Z',
    quiet: NIGHT,
    zone: LONDON,
    expected: '2026-01-16T09:00:00.000Z',
  },
  {
    name: 'small hours move to the same morning',
    at: '2026-01-16T03:00:00.000Z',
    quiet: NIGHT,
    zone: LONDON,
    expected: '2026-01-16T09:00:00.000Z',
  },
  {
    name: 'a millisecond before `to` is quiet',
    at: '2026-01-16T08:59:59.999Z',
    quiet: NIGHT,
    zone: LONDON,
    expected: '2026-01-16T09:00:00.000Z',
  },
  {
    name: 'exactly at `to` is allowed',
    at: '2026-01-16T09:00:00.000Z',
    quiet: NIGHT,
    zone: LONDON,
  },
  { name: 'midday is allowed', at: '2026-01-16T12:34:56.789Z', quiet: NIGHT, zone: LONDON },
  // A window that does not wrap midnight.
  {
    name: 'inside a daytime window',
    at: '2026-01-16T13:00:00.000Z',
    quiet: LUNCH,
    zone: LONDON,
    expected: '2026-01-16T14:00:00.000Z',
  },
  {
    name: 'daytime window starts at `from`',
    at: '2026-01-16T12:00:00.000Z',
    quiet: LUNCH,
    zone: LONDON,
    expected: '2026-01-16T14:00:00.000Z',
  },
  {
    name: 'daytime window ends at `to`',
    at: '2026-01-16T14:00:00.000Z',
    quiet: LUNCH,
    zone: LONDON,
  },
  { name: 'before a daytime window', at: '2026-01-16T11:59:00.000Z', quiet: LUNCH, zone: LONDON },
  {
    name: 'evening after a daytime window',
    at: '2026-01-16T22:00:00.000Z',
    quiet: LUNCH,
    zone: LONDON,
  },
  // No quiet hours.
  { name: 'no quiet hours', at: '2026-01-16T03:00:00.000Z', quiet: undefined, zone: LONDON },
  {
    name: 'from equal to to means none',
    at: '2026-01-16T09:00:00.000Z',
    quiet: { from: '09:00', to: '09:00' },
    zone: LONDON,
  },
  // Summer in London: BST, UTC+1.
  {
    name: 'summer: 20:00 BST is quiet until 09:00 BST',
    at: '2026-07-01T19:00:00.000Z',
    quiet: NIGHT,
    zone: LONDON,
    expected: '2026-07-02T08:00:00.000Z',
  },
  {
    name: 'summer: 19:59 BST is allowed',
    at: '2026-07-01T18:59:00.000Z',
    quiet: NIGHT,
    zone: LONDON,
  },
  {
    name: 'summer: 09:00 BST is allowed',
    at: '2026-07-02T08:00:00.000Z',
    quiet: NIGHT,
    zone: LONDON,
  },
  {
    name: 'summer: 08:30 BST is quiet (it is 07:30 UTC)',
    at: '2026-07-02T07:30:00.000Z',
    quiet: NIGHT,
    zone: LONDON,
    expected: '2026-07-02T08:00:00.000Z',
  },
  // Spring forward, 29 March 2026.
  {
    name: 'spring: night before ends at 09:00 BST',
    at: '2026-03-28T23:30:00.000Z',
    quiet: NIGHT,
    zone: LONDON,
    expected: '2026-03-29T08:00:00.000Z',
  },
  {
    name: 'spring: the last GMT minute',
    at: '2026-03-29T00:59:00.000Z',
    quiet: NIGHT,
    zone: LONDON,
    expected: '2026-03-29T08:00:00.000Z',
  },
  {
    name: 'spring: the first BST instant',
    at: '2026-03-29T01:00:00.000Z',
    quiet: NIGHT,
    zone: LONDON,
    expected: '2026-03-29T08:00:00.000Z',
  },
  {
    name: 'spring: 09:00 BST is allowed',
    at: '2026-03-29T08:00:00.000Z',
    quiet: NIGHT,
    zone: LONDON,
  },
  {
    name: 'spring: `to` in the skipped hour ends when the clocks jump',
    at: '2026-03-29T00:30:00.000Z',
    quiet: { from: '23:00', to: '01:30' },
    zone: LONDON,
    expected: '2026-03-29T01:00:00.000Z',
  },
  {
    name: 'spring: `from` in the skipped hour starts when the clocks jump',
    at: '2026-03-29T01:00:00.000Z',
    quiet: { from: '01:30', to: '06:00' },
    zone: LONDON,
    expected: '2026-03-29T05:00:00.000Z',
  },
  {
    name: 'spring: a window wholly in the skipped hour never applies (before)',
    at: '2026-03-29T00:59:59.999Z',
    quiet: { from: '01:15', to: '01:45' },
    zone: LONDON,
  },
  {
    name: 'spring: a window wholly in the skipped hour never applies (after)',
    at: '2026-03-29T01:00:00.000Z',
    quiet: { from: '01:15', to: '01:45' },
    zone: LONDON,
  },
  // Fall back, 25 October 2026.
  {
    name: 'autumn: 20:00 BST is quiet until 09:00 GMT',
    at: '2026-10-24T19:00:00.000Z',
    quiet: NIGHT,
    zone: LONDON,
    expected: '2026-10-25T09:00:00.000Z',
  },
  {
    name: 'autumn: in the second 01:00 hour',
    at: '2026-10-25T01:30:00.000Z',
    quiet: NIGHT,
    zone: LONDON,
    expected: '2026-10-25T09:00:00.000Z',
  },
  {
    name: 'autumn: `to` in the repeated hour ends at its first occurrence',
    at: '2026-10-24T22:00:00.000Z',
    quiet: { from: '20:00', to: '01:30' },
    zone: LONDON,
    expected: '2026-10-25T00:30:00.000Z',
  },
  {
    name: 'autumn: 01:45 BST (first pass) is after `to`',
    at: '2026-10-25T00:45:00.000Z',
    quiet: { from: '20:00', to: '01:30' },
    zone: LONDON,
  },
  {
    name: 'autumn: 01:15 GMT (second pass) is quiet again until the second 01:30',
    at: '2026-10-25T01:15:00.000Z',
    quiet: { from: '20:00', to: '01:30' },
    zone: LONDON,
    expected: '2026-10-25T01:30:00.000Z',
  },
  {
    name: 'autumn: a window in the repeated hour, first pass',
    at: '2026-10-25T00:10:00.000Z',
    quiet: { from: '01:00', to: '01:30' },
    zone: LONDON,
    expected: '2026-10-25T00:30:00.000Z',
  },
  {
    name: 'autumn: a window in the repeated hour, second pass',
    at: '2026-10-25T01:10:00.000Z',
    quiet: { from: '01:00', to: '01:30' },
    zone: LONDON,
    expected: '2026-10-25T01:30:00.000Z',
  },
  // America/New_York: UTC-5 in winter, UTC-4 in summer; forward on 8 March 2026 at 07:00 UTC.
  {
    name: 'New York winter',
    at: '2026-01-15T02:30:00.000Z',
    quiet: { from: '21:00', to: '08:00' },
    zone: NEW_YORK,
    expected: '2026-01-15T13:00:00.000Z',
  },
  {
    name: 'New York summer',
    at: '2026-07-01T01:00:00.000Z',
    quiet: { from: '21:00', to: '08:00' },
    zone: NEW_YORK,
    expected: '2026-07-01T12:00:00.000Z',
  },
  {
    name: 'New York summer evening is allowed',
    at: '2026-07-01T00:59:00.000Z',
    quiet: { from: '21:00', to: '08:00' },
    zone: NEW_YORK,
  },
  {
    name: 'New York spring forward',
    at: '2026-03-08T06:30:00.000Z',
    quiet: { from: '21:00', to: '08:00' },
    zone: NEW_YORK,
    expected: '2026-03-08T12:00:00.000Z',
  },
  {
    name: 'New York: an allowed minute skipped by spring forward waits a day',
    at: '2026-03-07T07:01:00.000Z',
    quiet: { from: '02:01', to: '02:00' },
    zone: NEW_YORK,
    expected: '2026-03-09T06:00:00.000Z',
  },
  // A half-hour offset and no daylight saving.
  {
    name: 'Kolkata (UTC+05:30)',
    at: '2026-01-15T15:00:00.000Z',
    quiet: NIGHT,
    zone: KOLKATA,
    expected: '2026-01-16T03:30:00.000Z',
  },
];

describe('nextAllowedTime', () => {
  it.each(cases)('$name', ({ at, quiet, zone, expected }) => {
    expect(nextAllowedTime(new Date(at), quiet, zone).toISOString()).toBe(expected ?? at);
  });

  it('returns the very Date it was given when outside quiet hours', () => {
    const at = new Date('2026-01-16T12:00:00.000Z');
    expect(nextAllowedTime(at, NIGHT, LONDON)).toBe(at);
  });

  it('refuses malformed quiet hours and unknown zones with codes', () => {
    const at = new Date('2026-01-16T12:00:00.000Z');
    expect(() => nextAllowedTime(at, { from: '8pm', to: '09:00' }, LONDON)).toThrow(
      expect.objectContaining({ code: 'invalid_quiet_hours' }),
    );
    expect(() => nextAllowedTime(at, NIGHT, 'Mars/Olympus_Mons')).toThrow(QuietHoursError);
    expect(() => nextAllowedTime(at, NIGHT, 'Mars/Olympus_Mons')).toThrow(
      expect.objectContaining({ code: 'invalid_time_zone' }),
    );
  });

  describe('for any instant in 2026 and any window', () => {
    const clock = fc
      .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
      .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
    const anyTime = fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2026, 11, 31) });
    // Random instants seldom land on a clock-change night, so half of them are drawn near one.
    const transitions = [
      Date.UTC(2026, 2, 29, 1),
      Date.UTC(2026, 9, 25, 1),
      Date.UTC(2026, 2, 8, 7),
      Date.UTC(2026, 10, 1, 6),
    ];
    const nearTransition = fc
      .constantFrom(...transitions)
      .chain((t) => fc.integer({ min: t - 36 * 3600_000, max: t + 36 * 3600_000 }));
    const instant = fc.oneof(anyTime, nearTransition);

    it.each([LONDON, NEW_YORK])('%s: the result is allowed, and nothing earlier is', (zone) => {
      fc.assert(
        fc.property(instant, clock, clock, (ms, from, to) => {
          const quiet = { from, to };
          const at = new Date(ms);
          const result = nextAllowedTime(at, quiet, zone);
          expect(result.getTime()).toBeGreaterThanOrEqual(ms);
          expect(isQuiet(result, quiet, zone)).toBe(false);
          if (result.getTime() === ms) return;
          // The result is the first allowed instant: just before it, and at `at`, is quiet.
          expect(isQuiet(at, quiet, zone)).toBe(true);
          expect(isQuiet(new Date(result.getTime() - 1), quiet, zone)).toBe(true);
        }),
        { numRuns: 1000 },
      );
    });
  });
});

describe('reminderTimes', () => {
  const from = new Date('2026-01-15T12:00:00.000Z');
  const hours = (n: number): number => n * 3600_000;

  it('adds each delay and moves quiet ones to the end of quiet hours', () => {
    const times = reminderTimes(from, [hours(1), hours(9), hours(24)], NIGHT, LONDON);
    expect(times.map((t) => t.toISOString())).toEqual([
      '2026-01-15T13:00:00.000Z',
      '2026-01-16T09:00:00.000Z',
      '2026-01-16T12:00:00.000Z',
    ]);
  });

  it('keeps one entry per delay, even when two land in one night', () => {
    const times = reminderTimes(from, [hours(10), hours(14)], NIGHT, LONDON);
    expect(times.map((t) => t.toISOString())).toEqual([
      '2026-01-16T09:00:00.000Z',
      '2026-01-16T09:00:00.000Z',
    ]);
  });

  it('shifts across the spring-forward night', () => {
    const times = reminderTimes(new Date('2026-03-28T12:00:00.000Z'), [hours(10)], NIGHT, LONDON);
    expect(times.map((t) => t.toISOString())).toEqual(['2026-03-29T08:00:00.000Z']);
  });

  it('is plain addition without quiet hours, and empty without delays', () => {
    expect(reminderTimes(from, [hours(10)], undefined, LONDON)).toEqual([
      new Date('2026-01-15T22:00:00.000Z'),
    ]);
    expect(reminderTimes(from, [], NIGHT, LONDON)).toEqual([]);
  });
});

/** An independent reading of local time: hour and minute from Intl, compared as HH:MM strings. */
function isQuiet(at: Date, quiet: QuietHours, zone: string): boolean {
  const local = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    hourCycle: 'h23',
    hour: '2-digit',
    minute: '2-digit',
  }).format(at);
  if (quiet.from === quiet.to) return false;
  return quiet.from < quiet.to
    ? local >= quiet.from && local < quiet.to
    : local >= quiet.from || local < quiet.to;
}
