import type { Redis } from 'ioredis';
import { escapeGlob, scanKeys } from '../privacy/redis-scan.js';
import type { RateLimiter } from './rate-limiter.js';
import { defineLuaCommand, type LuaCommand } from './redis-lua.js';
import { StoreUnavailableError } from './session-store.js';

/**
 * KEYS: the window. ARGV: window ms, events. INCRBY and, when the window is new, PEXPIRE, in
 * one round trip and atomically.
 */
const HIT = `
local count = redis.call('INCRBY', KEYS[1], ARGV[2])
if count == tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return count`;

/**
 * Fixed windows in Redis, shared by all processes. `key` must already be a keyed hash, never
 * a phone number: it becomes part of a Redis key. The script is registered (sent as EVALSHA),
 * so a message's counts do not carry its text each time.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly hitScript: LuaCommand;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    this.hitScript = defineLuaCommand(redis, {
      name: 'carevoiceRateHit',
      keys: 1,
      lua: HIT,
      readOnly: false,
    });
  }

  async hit(
    name: string,
    key: string,
    windowMs: number,
    events = 1,
  ): Promise<{ readonly count: number }> {
    try {
      const count = await this.hitScript(`${this.prefix}rate:${name}:{${key}}`, windowMs, events);
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
