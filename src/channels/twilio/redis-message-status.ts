import type { Redis } from 'ioredis';
import { z } from 'zod';
import { escapeGlob, scanKeys } from '../../privacy/redis-scan.js';
import { StoreUnavailableError } from '../../store/session-store.js';
import {
  checkSid,
  FAILURES_KEPT,
  STATUS_RANK,
  STATUS_TTL_MS,
  isFailureStatus,
  rejectedEntry,
  zeroCounts,
  COUNTED_STATUSES,
  type CountedStatus,
  type FailureEntry,
  type MessageStatus,
  type MessageStatusLog,
  type SentMessage,
  type StatusCounts,
} from './message-status.js';

/**
 * Message statuses in Redis, shared by every process. Keys:
 *
 * | key                                  | type | holds                                                         | expiry            |
 * |--------------------------------------|------|---------------------------------------------------------------|-------------------|
 * | `${prefix}sms:{status}:m:${sid}`     | hash | `ref`, `channel`, `flowId`, `status`, `rank`, `errorCode`, `updatedAt` | `STATUS_TTL_MS`, on write |
 * | `${prefix}sms:{status}:counts`       | hash | status → number of messages whose current status it is        | none              |
 * | `${prefix}sms:{status}:failures`     | list | JSON `FailureEntry`, newest first, `FAILURES_KEPT` at most     | none (capped)     |
 *
 * The SID is Twilio's id, not personal data; `ref` is the keyed hash of the participant.
 * The shared `{status}` hash tag puts every key in one cluster slot, so one script can move a
 * message's status and its counters together; the traffic of a consultation fits one slot.
 */
export interface RedisMessageStatusLogOptions {
  /** The caller's client (shared, with a `commandTimeout`); never closed here. */
  readonly redis: Redis;
  /** Key prefix, e.g. `cv:`; no braces (they would change the cluster slot). */
  readonly prefix: string;
  readonly clock: () => Date;
}

/**
 * KEYS: message, counts, failures. ARGV: sid, status, rank, error code (''), at (ISO), ttl ms,
 * failure (1/0), failures kept, ref (''), channel (''), flow id ('').
 * The metadata is written whatever the rank: `recordSent` may come after a callback.
 */
const TRANSITION_LUA = `
local rank = tonumber(ARGV[3])
if ARGV[9] ~= '' then redis.call('HSET', KEYS[1], 'ref', ARGV[9], 'channel', ARGV[10]) end
if ARGV[11] ~= '' then redis.call('HSET', KEYS[1], 'flowId', ARGV[11]) end
local current = redis.call('HMGET', KEYS[1], 'status', 'rank')
local applied = 0
if not current[2] or rank > tonumber(current[2]) then
  if current[1] then redis.call('HINCRBY', KEYS[2], current[1], -1) end
  redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
  redis.call('HSET', KEYS[1], 'status', ARGV[2], 'rank', ARGV[3], 'updatedAt', ARGV[5])
  if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'errorCode', ARGV[4]) end
  if ARGV[7] == '1' then
    local m = redis.call('HMGET', KEYS[1], 'ref', 'channel', 'flowId', 'errorCode')
    local entry = { sid = ARGV[1], status = ARGV[2], at = ARGV[5] }
    if m[1] then entry.ref = m[1] end
    if m[2] then entry.channel = m[2] end
    if m[3] then entry.flowId = m[3] end
    if m[4] then entry.errorCode = tonumber(m[4]) end
    redis.call('LPUSH', KEYS[3], cjson.encode(entry))
    redis.call('LTRIM', KEYS[3], 0, tonumber(ARGV[8]) - 1)
  end
  applied = 1
end
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return applied
`;

/** KEYS: counts, failures. ARGV: entry JSON, failures kept. */
const REJECTED_LUA = `
redis.call('HINCRBY', KEYS[1], 'rejected', 1)
redis.call('LPUSH', KEYS[2], ARGV[1])
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[2]) - 1)
return 1
`;

/**
 * KEYS: message hashes. ARGV: ref. Removes the ref from the messages that carry it (one SCAN
 * page at a time; every key shares the `{status}` slot).
 */
const FORGET_MESSAGES_LUA = `
local forgotten = 0
for _, key in ipairs(KEYS) do
  if redis.call('HGET', key, 'ref') == ARGV[1] then
    redis.call('HDEL', key, 'ref')
    forgotten = forgotten + 1
  end
end
return forgotten
`;

/** KEYS: failures. ARGV: ref. Rewrites, in place, the failure entries that name the ref without it. */
const FORGET_FAILURES_LUA = `
local entries = redis.call('LRANGE', KEYS[1], 0, -1)
for index, entry in ipairs(entries) do
  local ok, decoded = pcall(cjson.decode, entry)
  if ok and type(decoded) == 'table' and decoded.ref == ARGV[1] then
    decoded.ref = nil
    redis.call('LSET', KEYS[1], index - 1, cjson.encode(decoded))
  end
end
return 1
`;

const failureSchema = z.object({
  sid: z.string().optional(),
  ref: z.string().optional(),
  channel: z.enum(['sms', 'whatsapp']).optional(),
  flowId: z.string().optional(),
  status: z.enum(['undelivered', 'failed', 'rejected']),
  errorCode: z.number().int().optional(),
  at: z.string(),
});

export class RedisMessageStatusLog implements MessageStatusLog {
  private readonly redis: Redis;
  private readonly base: string;
  private readonly clock: () => Date;

  constructor(options: RedisMessageStatusLogOptions) {
    if (/[{}]/.test(options.prefix))
      throw new RangeError('the Redis key prefix must not contain braces');
    this.redis = options.redis;
    this.base = `${options.prefix}sms:{status}:`;
    this.clock = options.clock;
  }

  async recordSent(sid: string, message: SentMessage): Promise<void> {
    await this.transition(sid, message.status ?? 'queued', undefined, message);
  }

  async recordRejected(message: SentMessage, errorCode: number | undefined): Promise<void> {
    const entry = rejectedEntry(message, errorCode, this.clock());
    await this.run('recording a refused message', () =>
      this.redis.eval(
        REJECTED_LUA,
        2,
        `${this.base}counts`,
        `${this.base}failures`,
        JSON.stringify(entry),
        String(FAILURES_KEPT),
      ),
    );
  }

  async updateStatus(
    sid: string,
    status: MessageStatus,
    errorCode?: number,
  ): Promise<'applied' | 'ignored'> {
    return this.transition(sid, status, errorCode, undefined);
  }

  async counts(): Promise<StatusCounts> {
    const stored = await this.run('reading message counts', () =>
      this.redis.hgetall(`${this.base}counts`),
    );
    const counts = zeroCounts();
    for (const status of COUNTED_STATUSES) {
      // A counter can dip below zero only if the counts hash was lost while messages lived on.
      counts[status] = Math.max(0, Number(stored[status] ?? 0) || 0);
    }
    return counts;
  }

  async recentFailures(limit: number): Promise<FailureEntry[]> {
    const count = Math.min(Math.max(0, Math.floor(limit)), FAILURES_KEPT);
    if (count === 0) return [];
    const rows = await this.run('reading recent failures', () =>
      this.redis.lrange(`${this.base}failures`, 0, count - 1),
    );
    return rows.flatMap((row) => {
      const parsed = failureSchema.safeParse(safeJson(row));
      if (!parsed.success) return [];
      const e = parsed.data;
      return [
        {
          sid: e.sid,
          ref: e.ref,
          channel: e.channel,
          flowId: e.flowId,
          status: e.status,
          errorCode: e.errorCode,
          at: e.at,
        },
      ];
    });
  }

  /** Messages are found by a SCAN of the log's keys (30 days of them): paid only on erasure. */
  async forget(ref: string): Promise<void> {
    await this.run('forgetting a participant in the message log', async () => {
      for await (const keys of scanKeys(this.redis, `${escapeGlob(`${this.base}m:`)}*`)) {
        await this.redis.eval(FORGET_MESSAGES_LUA, keys.length, ...keys, ref);
      }
      await this.redis.eval(FORGET_FAILURES_LUA, 1, `${this.base}failures`, ref);
    });
  }

  private async transition(
    sid: string,
    status: MessageStatus,
    errorCode: number | undefined,
    message: SentMessage | undefined,
  ): Promise<'applied' | 'ignored'> {
    checkSid(sid);
    const applied = await this.run('recording a message status', () =>
      this.redis.eval(
        TRANSITION_LUA,
        3,
        `${this.base}m:${sid}`,
        `${this.base}counts`,
        `${this.base}failures`,
        sid,
        status,
        String(STATUS_RANK[status]),
        errorCode === undefined ? '' : String(errorCode),
        this.clock().toISOString(),
        String(STATUS_TTL_MS),
        isFailureStatus(status satisfies CountedStatus) ? '1' : '0',
        String(FAILURES_KEPT),
        message?.ref ?? '',
        message?.channel ?? '',
        message?.flowId ?? '',
      ),
    );
    return Number(applied) === 1 ? 'applied' : 'ignored';
  }

  private async run<T>(what: string, command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw new StoreUnavailableError(`${what} failed`, { cause: error });
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
