import type { Redis } from 'ioredis';
import { escapeGlob, scanKeys } from '../privacy/redis-scan.js';
import type { RateLimiter } from './rate-limiter.js';
import { StoreUnavailableError } from './session-store.js';

/** INCR and, for the first event of a window, PEXPIRE, in one round trip and atomically. */
const HIT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return count`;

/**
 * Fixed windows in Redis, shared by all processes. `key` must already be a keyed hash, never
 * a phone number: it becomes part of a Redis key.
 */
export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async hit(name: string, key: string, windowMs: number): Promise<{ readonly count: number }> {
    try {
      const count = await this.redis.eval(
        HIT,
        1,
        `${this.prefix}rate:${name}:{${key}}`,
        String(windowMs),
      );
      return { count: Number(count) };
    } catch (error) {
      throw new StoreUnavailableError('rate limit check failed', { cause: error });
    }
  }

  /**
   * The names are the callers' (`sms-in`, `slack-help`, …), so the windows are found by a
   * SCAN of the limiter's keys: paid only when someone's data is erased.
   */
  async forget(key: string): Promise<void> {
    const pattern = `${escapeGlob(`${this.prefix}rate:`)}*${escapeGlob(`:{${key}}`)}`;
    try {
      for await (const keys of scanKeys(this.redis, pattern)) await this.redis.unlink(...keys);
    } catch (error) {
      throw new StoreUnavailableError('forgetting rate limit windows failed', { cause: error });
    }
  }
}
