import type { TestProject } from 'vitest/node';
import { startRedisServer } from './redis-server.js';

/**
 * Gives every test file a Redis (via `inject('redisUrl')`): REDIS_URL when set, else a
 * redis-server of its own for this run, stopped at the end. Without either, Redis tests skip
 * locally; in CI (`CI=true`) the run fails instead, so a missing Redis cannot go unnoticed.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const fromEnvironment = process.env['REDIS_URL'];
  if (fromEnvironment !== undefined && fromEnvironment !== '') {
    project.provide('redisUrl', fromEnvironment);
    return async () => undefined;
  }
  const server = await startRedisServer();
  if (server === undefined) {
    if (process.env['CI'] === 'true') {
      throw new Error(
        'redis-server is not installed and REDIS_URL is unset: the Redis tests cannot run in CI',
      );
    }
    console.warn('redis-server is not installed and REDIS_URL is unset: Redis tests are skipped');
    project.provide('redisUrl', undefined);
    return async () => undefined;
  }
  project.provide('redisUrl', server.url);
  return () => server.stop();
}
