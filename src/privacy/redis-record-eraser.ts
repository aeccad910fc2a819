import type { Redis } from 'ioredis';
import type { ResponseRecord } from '../responses/record.js';
import { flowResponsesKey, outboxKey, RELAY_GROUP } from '../responses/redis-response-store.js';
import type { RemovedRecord } from '../responses/response-store.js';
import type { RedisKeyScheme } from '../store/redis-keys.js';
import type { BeforeRecordsDeleted, RecordEraser } from './record-eraser.js';
import { escapeGlob, scanKeys } from './redis-scan.js';

const PAGE = 500;

type StreamEntry = [id: string, fields: string[]];

interface Found {
  readonly flowId: string;
  readonly entryId: string;
  readonly record: ResponseRecord;
}

/**
 * Records in Redis (see redis-response-store.ts for the keys). A respondent's records are
 * found through their index (`p:{ref}:responses`), never by reading a whole flow; old ones
 * go with XTRIM MINID, which costs what it trims. Stream ids carry Redis's time of storing,
 * which is what retention counts from.
 */
export class RedisRecordEraser implements RecordEraser {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeyScheme,
  ) {}

  private get prefix(): string {
    return this.keys.prefix;
  }

  async eraseRespondent(
    respondent: string,
    before: BeforeRecordsDeleted,
  ): Promise<RemovedRecord[]> {
    const index = this.keys.ofRef(respondent).responses;
    const found = await this.indexed(await this.redis.smembers(index));
    const untaken = await this.withdrawFromOutbox(found);
    const removed = found.map(({ record }) => ({ record, relayed: !untaken.has(record.id) }));
    await before(removed);
    const deleting = this.redis.multi();
    for (const { flowId, entryId } of found)
      deleting.xdel(flowResponsesKey(this.prefix, flowId), entryId);
    deleting.del(index);
    await deleting.exec();
    return removed;
  }

  async purgeExpired(cutoffOf: (flowId: string) => Date): Promise<Map<string, string[]>> {
    const purged = new Map<string, string[]>();
    const base = `${this.prefix}f:`;
    const suffix = ':responses';
    for await (const keys of scanKeys(this.redis, `${escapeGlob(base)}*${suffix}`)) {
      for (const key of new Set(keys)) {
        const flowId = key.slice(base.length, -suffix.length);
        const ids = await this.purgeBefore(flowId, cutoffOf(flowId));
        if (ids.length > 0) purged.set(flowId, ids);
      }
    }
    return purged;
  }

  /** Pages through the records to go (to unindex them), then trims them in one XTRIM. */
  private async purgeBefore(flowId: string, cutoff: Date): Promise<string[]> {
    const key = flowResponsesKey(this.prefix, flowId);
    const end = `(${cutoff.getTime()}-0`;
    const ids: string[] = [];
    let entries = 0;
    let start = '-';
    for (;;) {
      const page = (await this.redis.xrange(key, start, end, 'COUNT', PAGE)) as StreamEntry[];
      entries += page.length;
      const unindexing = this.redis.pipeline();
      for (const [entryId, fields] of page) {
        const record = decodeRecord(fields);
        if (record === undefined) continue;
        ids.push(record.id);
        unindexing.srem(this.keys.ofRef(record.respondent).responses, `${flowId} ${entryId}`);
      }
      await unindexing.exec();
      const last = page.at(-1);
      if (last === undefined || page.length < PAGE) break;
      start = `(${last[0]}`;
    }
    // Exact, not `~`: a record past its time must not linger until a whole node is free.
    if (entries > 0) await this.redis.xtrim(key, 'MINID', cutoff.getTime());
    return ids;
  }

  async oldestStoredAt(flowId: string): Promise<Date | undefined> {
    const [first] = (await this.redis.xrange(
      flowResponsesKey(this.prefix, flowId),
      '-',
      '+',
      'COUNT',
      1,
    )) as StreamEntry[];
    return first === undefined ? undefined : new Date(Number(first[0].split('-')[0]));
  }

  /** The records an index names (`<flow> <stream id>`); entries already gone are skipped. */
  private async indexed(members: readonly string[]): Promise<Found[]> {
    const wanted = members.flatMap((member) => {
      const [flowId, entryId] = member.split(' ');
      return flowId === undefined || entryId === undefined ? [] : [{ flowId, entryId }];
    });
    const reading = this.redis.pipeline();
    for (const { flowId, entryId } of wanted) {
      reading.xrange(flowResponsesKey(this.prefix, flowId), entryId, entryId);
    }
    const replies = (await reading.exec()) ?? [];
    return wanted.flatMap((entry, i) => {
      const [error, page] = replies[i] ?? [null, []];
      if (error !== null) throw error;
      const record = decodeRecord((page as StreamEntry[])[0]?.[1] ?? []);
      return record === undefined ? [] : [{ ...entry, record }];
    });
  }

  /**
   * Deletes the records' outbox entries and returns the ids of those no relay had taken: no
   * partner delivery was made from them. The outbox entry is written with its record, so it
   * sits at or after the record's stream id; the search starts from the earliest of them.
   */
  private async withdrawFromOutbox(found: readonly Found[]): Promise<Set<string>> {
    const untaken = new Set<string>();
    if (found.length === 0) return untaken;
    const ids = new Set(found.map(({ record }) => record.id));
    const key = outboxKey(this.prefix);
    const entries: string[] = [];
    let start = found.map(({ entryId }) => entryId).sort(compareStreamIds)[0] ?? '-';
    for (;;) {
      const page = (await this.redis.xrange(key, start, '+', 'COUNT', PAGE)) as StreamEntry[];
      for (const [entryId, fields] of page) {
        const record = decodeRecord(fields);
        if (record !== undefined && ids.has(record.id)) {
          entries.push(entryId);
          if (!(await this.takenByRelay(key, entryId))) untaken.add(record.id);
        }
      }
      const last = page.at(-1);
      if (last === undefined || page.length < PAGE) break;
      start = `(${last[0]}`;
    }
    if (entries.length > 0) await this.redis.xdel(key, ...entries);
    return untaken;
  }

  /** True when a relay has read the entry but not acknowledged it yet. */
  private async takenByRelay(key: string, entryId: string): Promise<boolean> {
    try {
      const pending = (await this.redis.xpending(
        key,
        RELAY_GROUP,
        entryId,
        entryId,
        1,
      )) as unknown[];
      return pending.length > 0;
    } catch (error) {
      // No relay has ever read this outbox: nothing is taken.
      if (error instanceof Error && error.message.startsWith('NOGROUP')) return false;
      throw error;
    }
  }
}

function decodeRecord(fields: readonly string[]): ResponseRecord | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const value = fields[i + 1];
    if (fields[i] === 'r' && value !== undefined) return JSON.parse(value) as ResponseRecord;
  }
  return undefined;
}

/** Stream ids are `<ms>-<seq>`: compared as numbers, not text. */
function compareStreamIds(a: string, b: string): number {
  const [aMs = 0, aSeq = 0] = a.split('-').map(Number);
  const [bMs = 0, bSeq = 0] = b.split('-').map(Number);
  return aMs - bMs || aSeq - bSeq;
}
