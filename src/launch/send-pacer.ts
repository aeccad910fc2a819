import type { Redis } from 'ioredis';
import { defineLuaCommands, type LuaCommand } from '../store/redis-lua.js';

/**
 * KEYS: the sender's pace. ARGV: job id, now (ms), spacing (ms), hold (ms).
 * A job keeps the slot it was given until it lets go, so a job sent away to wait for its slot
 * finds the same slot when it comes back, instead of queueing behind itself.
 */
const CLAIM_LUA = `
local held = redis.call('HGET', KEYS[1], 'hold:' .. ARGV[1])
if held then return held end
local now = tonumber(ARGV[2])
local slot = math.max(now, tonumber(redis.call('HGET', KEYS[1], 'next') or '0'))
redis.call('HSET', KEYS[1], 'next', string.format('%.0f', slot + tonumber(ARGV[3])))
redis.call('HSET', KEYS[1], 'hold:' .. ARGV[1], string.format('%.0f', slot))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return string.format('%.0f', slot)`;

const SCRIPTS = {
  claim: { name: 'carevoiceClaimSendSlot', keys: 1, lua: CLAIM_LUA, readOnly: false },
} as const;

/** The pace is forgotten a day after the last claim: by then any slot it held is long past. */
const PACE_MEMORY_MS = 86_400_000;

/**
 * Keeps a sender (a channel: the Twilio number or service for SMS, for WhatsApp, the Slack
 * app) to its rate across every process and every launch. Each invitation claims the next
 * free slot for its cost; the slot after it is `spacing` later. Times are the caller's clock,
 * so that the one clock decides both when a job runs and when it may send.
 *
 * Why not BullMQ's limiter: it counts jobs per window, while a rate is in messages (an SMS
 * of two segments counts twice at Twilio), and its windows allow a double burst at their edges.
 */
export class RedisSendPacer {
  private readonly scripts: Record<keyof typeof SCRIPTS, LuaCommand>;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    this.scripts = defineLuaCommands(redis, SCRIPTS);
  }

  /** The slot (epoch ms) this job may send at; the same slot again until `release`. */
  async claim(sender: string, jobId: string, now: number, spacingMs: number): Promise<number> {
    return Number(
      await this.scripts.claim(this.key(sender), jobId, now, spacingMs, PACE_MEMORY_MS),
    );
  }

  async release(sender: string, jobId: string): Promise<void> {
    await this.redis.hdel(this.key(sender), `hold:${jobId}`);
  }

  /** The first free slot (epoch ms), or 0 when the sender is idle: where a new launch would begin. */
  async nextFree(sender: string): Promise<number> {
    return Number((await this.redis.hget(this.key(sender), 'next')) ?? 0);
  }

  private key(sender: string): string {
    return `${this.prefix}launch:pace:${sender}`;
  }
}
