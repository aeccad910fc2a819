import type { Redis } from 'ioredis';
import { escapeGlob, scanKeys } from '../privacy/redis-scan.js';
import type { RateLimiter } from './rate-limiter.js';
import { defineLuaCommand, type LuaCommand } from './redis-lua.js';
import { StoreUnavailableError } from './session-store.js';

/**
 * Lua counting events in a window: INCRBY and, when the window is new, PEXPIRE, atomically.
 * Shared with the session store's scripts, which count a message's events in their own trip.
 */
export const RATE_HIT_LUA = `
local function rate_hit(key, window_ms, events)
  local count = redis.call('INCRBY', key, events)
  if count == events then redis.call('PEXPIRE', key, window_ms) end
  return count
end
`;

/** KEYS: the window. ARGV: window ms, events. */
const HIT = `${RATE_HIT_LUA}
return rate_hit(KEYS[1], ARGV[1], tonumber(ARGV[2]))`;

/**
 * A window's key: under the limiter's key as hash tag, which for a participant's windows is
 * their ref, so that they share the slot of the participant's other keys.
 */
export function rateKey(prefix: string, name: string, key: string): string {
  return `${prefix}rate:${name}:{${key}}`;
}

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
      const count = await this.hitScript(rateKey(this.prefix, name, key), windowMs, events);
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
