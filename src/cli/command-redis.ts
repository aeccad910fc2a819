import { Redis } from 'ioredis';

/**
 * Runs `work` with a Redis connection of a command's own, then closes it. The connection is
 * tried once and never again: a command facing an unreachable Redis says so at once instead
 * of hanging. `unreachable` gets the reason without the URL, which may hold a password.
 */
export async function withCommandRedis<T>(
  url: string,
  unreachable: (reason: string) => T,
  work: (redis: Redis) => Promise<T>,
): Promise<T> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    retryStrategy: () => null,
  });
  // The socket's error (ECONNREFUSED, ENOTFOUND) says more than connect()'s "Connection is closed".
  let socketError: unknown;
  redis.on('error', (error: unknown) => (socketError = error));
  try {
    await redis.connect();
  } catch (error) {
    const cause = (socketError ?? error) as NodeJS.ErrnoException;
    return unreachable(`cannot reach Redis (REDIS_URL): ${cause.code ?? cause.message}`);
  }
  try {
    return await work(redis);
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}
