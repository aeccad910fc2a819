import type { Redis } from 'ioredis';
import { defineLuaCommands, type LuaCommand } from '../store/redis-lua.js';

/**
 * KEYS: the sender's pace. ARGV: now (ms), spacing (ms), horizon (ms), memory (ms).
 * Gives the next free slot if it is within the horizon (and moves the next free slot on by
 * the spacing), or says when to come back: the horizon before the next free slot.
 */
const CLAIM_LUA = `
local now = tonumber(ARGV[1])
local slot = math.max(now, tonumber(redis.call('HGET', KEYS[1], 'next') or '0'))
if slot - now > tonumber(ARGV[3]) then
  return {0, string.format('%.0f', slot - tonumber(ARGV[3]))}
end
redis.call('HSET', KEYS[1], 'next', string.format('%.0f', slot + tonumber(ARGV[2])))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {1, string.format('%.0f', slot)}`;

const SCRIPTS = {
  claim: { name: 'carevoiceClaimSendSlot', keys: 1, lua: CLAIM_LUA, readOnly: false },
} as const;

/** The pace is forgotten a day after the last claim: by then any slot it gave is long past. */
const PACE_MEMORY_MS = 86_400_000;

/** A slot to send at, or when to ask again. */
export type SlotClaim =
  | { readonly granted: true; readonly slot: number }
  | { readonly granted: false; readonly retryAt: number };

/**
 * Keeps a sender (a channel: the Twilio number or service for SMS, WhatsApp, the Slack app)
 * to its rate across every process and every launch. An invitation about to be sent claims
 * the next free slot, and the slot after it is `spacing` later; slots are only given out a
 * short horizon ahead, so the holder waits for its slot in hand and is never late for it
 * (a late sender would crowd the next one). Times are the caller's clock: the same clock
 * decides when a job runs and when it may send.
 *
 * Why not BullMQ's limiter: it counts jobs per window, while a rate is in messages (an SMS of
 * two segments counts twice at Twilio), and fixed windows allow a double burst at their edges.
 */
export class RedisSendPacer {
  private readonly scripts: Record<keyof typeof SCRIPTS, LuaCommand>;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    this.scripts = defineLuaCommands(redis, SCRIPTS);
  }

  async claim(
    sender: string,
    now: number,
    spacingMs: number,
    horizonMs: number,
  ): Promise<SlotClaim> {
    const [granted, at] = (await this.scripts.claim(
      this.key(sender),
      now,
      spacingMs,
      horizonMs,
      PACE_MEMORY_MS,
    )) as [number, string];
    return granted === 1
      ? { granted: true, slot: Number(at) }
      : { granted: false, retryAt: Number(at) };
  }

  /** The first free slot (epoch ms), or 0 when the sender is idle: where a new launch would begin. */
  async nextFree(sender: string): Promise<number> {
    return Number((await this.redis.hget(this.key(sender), 'next')) ?? 0);
  }

  private key(sender: string): string {
    return `${this.prefix}launch:pace:${sender}`;
  }
}
