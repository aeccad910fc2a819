import type { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { PublishedFlows } from '../flow/published-flows.js';

/**
 * Runs `work` with the published-flow store of REDIS_URL, then disconnects. Unreachable Redis
 * is said on `err` (without the URL, which may hold a password) and gives exit code 1.
 */
export async function withPublishedFlows(
  config: Pick<Config, 'redisUrl' | 'redisPrefix'>,
  err: Writable,
  work: (store: PublishedFlows) => Promise<number>,
): Promise<number> {
  if (config.redisUrl === undefined) throw new Error('withPublishedFlows needs REDIS_URL');
  const redis = new Redis(config.redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    err.write(`cannot reach Redis (REDIS_URL): ${code}; nothing was changed\n`);
    return 1;
  }
  try {
    return await work(new PublishedFlows(redis, config.redisPrefix));
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}
