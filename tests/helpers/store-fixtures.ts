import { Redis } from 'ioredis';
import { afterEach, beforeEach } from 'vitest';
import type { Session } from '../../src/engine/types.js';
import type { RedisTestEnv } from './redis-server.js';

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

/** A test's Redis, as a `describe` block that opens many clients sees it. */
export interface RedisScope {
  readonly url: string;
  readonly prefix: string;
  /** A client that is disconnected after the test. */
  client(): Redis;
}

/**
 * Call at the top of a `describe` (after `redisTest()`): each test gets a fresh prefix, its
 * clients are disconnected after it, and its keys (only its own) are removed.
 */
export function useRedisScope(redisEnv: () => RedisTestEnv): RedisScope {
  let current: RedisTestEnv | undefined;
  const clients: Redis[] = [];
  const env = (): RedisTestEnv => {
    if (current === undefined) throw new Error('the Redis scope is used outside a test');
    return current;
  };
  beforeEach(() => {
    current = redisEnv();
  });
  afterEach(async () => {
    for (const redis of clients.splice(0)) redis.disconnect();
    const cleaner = new Redis(env().url, { maxRetriesPerRequest: 1 });
    await removeKeys(cleaner, env().prefix);
    cleaner.disconnect();
  });
  return {
    get url() {
      return env().url;
    },
    get prefix() {
      return env().prefix;
    },
    client() {
      const redis = new Redis(env().url, { maxRetriesPerRequest: 1 });
      redis.on('error', () => undefined);
      clients.push(redis);
      return redis;
    },
  };
}
