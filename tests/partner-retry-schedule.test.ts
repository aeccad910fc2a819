import { describe, expect, it } from 'vitest';
import {
  MAX_RETRY_AFTER_MS,
  nextAttemptDelayMs,
  parseRetryAfterMs,
  RETRY_JITTER,
  RETRY_SCHEDULE_MS,
} from '../src/partners/retry-schedule.js';

const HOUR = 3_600_000;
const middle = (): number => 0.5;
const lowest = (): number => 0;
const highest = (): number => 1 - Number.EPSILON;

describe('partner retry schedule', () => {
  it('is the Svix and Standard Webhooks schedule: eleven attempts over more than three days', () => {
    expect(RETRY_SCHEDULE_MS.map((ms) => ms / 1000)).toEqual([
      0, 5, 300, 1800, 7200, 18000, 36000, 36000, 50400, 72000, 86400,
    ]);
    const total = RETRY_SCHEDULE_MS.reduce((sum, ms) => sum + ms, 0);
    expect(total).toBeGreaterThanOrEqual(72 * HOUR);
  });

  it('gives the planned wait with no jitter at the middle of the random range', () => {
    expect(RETRY_SCHEDULE_MS.map((_, made) => nextAttemptDelayMs(made, middle))).toEqual(
      RETRY_SCHEDULE_MS,
    );
  });

  it('moves each wait by at most the jitter either way', () => {
    RETRY_SCHEDULE_MS.forEach((planned, made) => {
      expect(nextAttemptDelayMs(made, lowest)).toBe(Math.round(planned * (1 - RETRY_JITTER)));
      const high = nextAttemptDelayMs(made, highest) ?? Number.NaN;
      expect(high).toBeLessThanOrEqual(Math.round(planned * (1 + RETRY_JITTER)));
      expect(high).toBeGreaterThan(planned * (1 + RETRY_JITTER) - 1);
    });
  });

  it('ends after the last attempt, whatever the partner asks', () => {
    expect(nextAttemptDelayMs(RETRY_SCHEDULE_MS.length, middle)).toBeUndefined();
    expect(nextAttemptDelayMs(RETRY_SCHEDULE_MS.length, middle, 1000)).toBeUndefined();
  });

  it('honours a longer Retry-After, a shorter one changes nothing, and a huge one is capped', () => {
    expect(nextAttemptDelayMs(1, middle, 60_000)).toBe(60_000);
    expect(nextAttemptDelayMs(2, middle, 60_000)).toBe(5 * 60_000);
    expect(nextAttemptDelayMs(1, middle, 7 * 24 * HOUR)).toBe(MAX_RETRY_AFTER_MS);
    expect(MAX_RETRY_AFTER_MS).toBe(24 * HOUR);
  });
});

describe('Retry-After', () => {
  const now = new Date('2026-11-20T10:00:00Z');

  it.each([
    ['120', 120_000],
    [' 0 ', 0],
    ['Fri, 20 Nov 2026 10:02:30 GMT', 150_000],
    ['Fri, 20 Nov 2026 09:00:00 GMT', 0],
    [undefined, undefined],
    ['', undefined],
    ['soon', undefined],
    ['-5', undefined],
  ])('reads %j as %j ms', (header, expected) => {
    expect(parseRetryAfterMs(header, now)).toBe(expected);
  });
});
