import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { loadContent } from '../flow/content.js';
import { DEFAULT_RETENTION_MS, type Flow } from '../flow/flow.js';
import { RedisResponseStore } from '../responses/redis-response-store.js';
import type { ResponseStore } from '../responses/response-store.js';
import { RedisKeyScheme } from '../store/redis-keys.js';
import type { RecordEraser } from './record-eraser.js';
import { RedisRecordEraser } from './redis-record-eraser.js';

const DAY_MS = 86_400_000;

/** What a flow holds and until when: for `carevoice status` and information governance leads. */
export interface RetentionSummary {
  readonly flowId: string;
  readonly retentionDays: number;
  readonly records: number;
  /** When the oldest record held was stored; null when none is held. */
  readonly oldestStoredAt: string | null;
  /** The day the daily purge removes it (and each later record, that many days after its own storing). */
  readonly oldestKeptUntil: string | null;
}

/** One count and one read of the oldest record: no scan of the flow's records. */
export async function retentionSummary(
  flowId: string,
  flow: Pick<Flow, 'retentionMs'> | undefined,
  responses: Pick<ResponseStore, 'count'>,
  records: Pick<RecordEraser, 'oldestStoredAt'>,
): Promise<RetentionSummary> {
  const retentionMs = flow?.retentionMs ?? DEFAULT_RETENTION_MS;
  const [count, oldest] = await Promise.all([
    responses.count(flowId),
    records.oldestStoredAt(flowId),
  ]);
  return {
    flowId,
    retentionDays: Math.round(retentionMs / DAY_MS),
    records: count,
    oldestStoredAt: oldest?.toISOString() ?? null,
    oldestKeptUntil:
      oldest === undefined ? null : new Date(oldest.getTime() + retentionMs).toISOString(),
  };
}

/** The summary as a line of `carevoice status`. */
export function describeRetention(summary: RetentionSummary): string {
  const kept = `responses are kept ${summary.retentionDays} days after they are stored`;
  if (summary.oldestStoredAt === null || summary.oldestKeptUntil === null)
    return `${kept}; none are held`;
  const day = (iso: string): string => iso.slice(0, 10);
  return `${kept}; ${summary.records} held, the oldest (${day(summary.oldestStoredAt)}) until ${day(summary.oldestKeptUntil)}`;
}

/** The summary read straight from a deployment's Redis, for `carevoice status`. */
export async function storedRetention(
  redis: Redis,
  config: Pick<Config, 'redisPrefix' | 'pseudonymKey' | 'flowsDir' | 'localesDir'>,
  flowId: string,
): Promise<RetentionSummary> {
  const keys = new RedisKeyScheme({ prefix: config.redisPrefix, secret: config.pseudonymKey });
  return retentionSummary(
    flowId,
    loadContent(config).flows.get(flowId),
    new RedisResponseStore(redis, config.redisPrefix),
    new RedisRecordEraser(redis, keys),
  );
}
