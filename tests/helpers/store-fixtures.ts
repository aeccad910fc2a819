import type { Redis } from 'ioredis';
import type { Session } from '../../src/engine/types.js';

/** A session waiting at a question, as the store contracts keep it; override what a test is about. */
export function activeSession(revision: number, changes: Partial<Session> = {}): Session {
  return {
    flowId: 'friends-and-family',
    flowVersion: '3',
    status: 'active',
    stepId: 'recommend',
    language: 'en',
    variant: 'standard',
    role: undefined,
    attempts: 0,
    followUps: 0,
    answers: {},
    params: {},
    startedAt: '2025-03-01T09:00:00.000Z',
    updatedAt: '2025-03-01T09:05:00.000Z',
    expiresAt: '2025-03-08T09:00:00.000Z',
    revision,
    ...changes,
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Every key under a test prefix (SCAN, never KEYS, so a shared Redis is not blocked). */
export async function scanKeys(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

/** Tests only ever remove their own keys: a shared REDIS_URL is never flushed. */
export async function removeKeys(redis: Redis, prefix: string): Promise<void> {
  const keys = await scanKeys(redis, prefix);
  if (keys.length > 0) await redis.del(...keys);
}
