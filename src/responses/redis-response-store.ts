import type { Redis } from 'ioredis';
import type { ResponseRecord } from './record.js';
import {
  RELAY_RECLAIM_MS,
  type ListOptions,
  type OutboxEntry,
  type ResponseOutbox,
  type ResponseStore,
} from './response-store.js';

/**
 * Where records live in Redis (written by the session store's commit script):
 *
 * | key                          | type   | holds                                                |
 * |------------------------------|--------|------------------------------------------------------|
 * | `${prefix}f:<flow>:responses` | stream | one entry per record: `id`, `r` (the record's JSON)  |
 * | `${prefix}p:{ref}:responses`  | set    | `<flow> <stream id>` of the participant's records    |
 * | `${prefix}outbox`             | stream | `r`: records not yet handed to partner deliveries    |
 *
 * A stream keeps insertion order and its ids carry the time of storing, so an export pages
 * through it with XRANGE (flat memory) and `since` is a range start, not a filter.
 */
export function flowResponsesKey(prefix: string, flowId: string): string {
  return `${prefix}f:${flowId}:responses`;
}

export function outboxKey(prefix: string): string {
  return `${prefix}outbox`;
}

/** The outbox's consumer group; erasure asks it whether a relay has taken an entry. */
export const RELAY_GROUP = 'relay';
const DEFAULT_PAGE_SIZE = 500;

type StreamEntry = [id: string, fields: string[]];

export class RedisResponseStore implements ResponseStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async *list(flowId: string, options: ListOptions = {}): AsyncIterable<ResponseRecord> {
    const key = flowResponsesKey(this.prefix, flowId);
    const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    let start = options.since === undefined ? '-' : String(options.since.getTime());
    for (;;) {
      const page = (await this.redis.xrange(key, start, '+', 'COUNT', pageSize)) as StreamEntry[];
      for (const [, fields] of page) yield decodeRecord(fields);
      const last = page.at(-1);
      if (last === undefined || page.length < pageSize) return;
      start = `(${last[0]}`;
    }
  }

  async count(flowId: string): Promise<number> {
    return this.redis.xlen(flowResponsesKey(this.prefix, flowId));
  }
}

/**
 * The outbox through a consumer group: every relay (one per server process) reads new entries,
 * and entries a stopped relay took but never acknowledged are claimed again after
 * `RELAY_RECLAIM_MS`. Needs a connection of its own: a blocking read holds its connection.
 */
export class RedisResponseOutbox implements ResponseOutbox {
  private groupReady = false;
  /**
   * After a failed read (say, Redis restarted mid-reply) entries may have been handed to this
   * relay without it seeing them: it reads its own pending entries before any new ones, rather
   * than leaving them to another relay's reclaim a minute later.
   */
  private ownPendingUnseen = false;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly reclaimMs = RELAY_RECLAIM_MS,
  ) {}

  async take(consumer: string, max: number, waitMs: number): Promise<OutboxEntry[]> {
    const key = outboxKey(this.prefix);
    await this.ensureGroup(key);
    try {
      if (this.ownPendingUnseen) {
        const own = await this.read(key, consumer, max, undefined, '0');
        if (own.length > 0) return own;
        this.ownPendingUnseen = false;
      }
      const reclaimed = await this.reclaim(key, consumer, max);
      if (reclaimed.length > 0) return reclaimed;
      return await this.read(key, consumer, max, Math.max(1, waitMs), '>');
    } catch (error) {
      this.ownPendingUnseen = true;
      // The stream and its group are gone (a Redis without persistence restarted): make them again.
      if (error instanceof Error && error.message.startsWith('NOGROUP')) this.groupReady = false;
      throw error;
    }
  }

  async acknowledge(entryIds: readonly string[]): Promise<void> {
    if (entryIds.length === 0) return;
    const key = outboxKey(this.prefix);
    await this.redis
      .multi()
      .xack(key, RELAY_GROUP, ...entryIds)
      .xdel(key, ...entryIds)
      .exec();
  }

  /** `from` '>' reads entries never handed out; '0' re-reads this consumer's own pending ones. */
  private async read(
    key: string,
    consumer: string,
    max: number,
    blockMs: number | undefined,
    from: '>' | '0',
  ): Promise<OutboxEntry[]> {
    const group = ['GROUP', RELAY_GROUP, consumer, 'COUNT', max] as const;
    const reply = (
      blockMs === undefined
        ? await this.redis.xreadgroup(...group, 'STREAMS', key, from)
        : await this.redis.xreadgroup(...group, 'BLOCK', blockMs, 'STREAMS', key, from)
    ) as [string, [string, string[] | null][]][] | null;
    // A pending entry deleted since it was handed out comes back without its fields.
    return (reply?.[0]?.[1] ?? [])
      .filter((entry): entry is StreamEntry => entry[1] !== null)
      .map(toEntry);
  }

  private async reclaim(key: string, consumer: string, max: number): Promise<OutboxEntry[]> {
    const reply = (await this.redis.xautoclaim(
      key,
      RELAY_GROUP,
      consumer,
      this.reclaimMs,
      '0-0',
      'COUNT',
      max,
    )) as [string, (StreamEntry | null)[]];
    return reply[1].filter((entry): entry is StreamEntry => entry !== null).map(toEntry);
  }

  private async ensureGroup(key: string): Promise<void> {
    if (this.groupReady) return;
    try {
      await this.redis.xgroup('CREATE', key, RELAY_GROUP, '0', 'MKSTREAM');
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('BUSYGROUP'))) throw error;
    }
    this.groupReady = true;
  }
}

function toEntry([entryId, fields]: StreamEntry): OutboxEntry {
  return { entryId, record: decodeRecord(fields) };
}

/** Entries are flat `[name, value, …]` lists; the record is the value of `r`. */
function decodeRecord(fields: string[]): ResponseRecord {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const value = fields[i + 1];
    if (fields[i] === 'r' && value !== undefined) return JSON.parse(value) as ResponseRecord;
  }
  throw new Error('a stored response has no record');
}
