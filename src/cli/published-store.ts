import type { Writable } from 'node:stream';
import type { Config } from '../config.js';
import { PublishedFlows } from '../flow/published-flows.js';
import { withCommandRedis } from './command-redis.js';

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
  return withCommandRedis(
    config.redisUrl,
    (reason) => {
      err.write(`${reason}; nothing was changed\n`);
      return 1;
    },
    (redis) => work(new PublishedFlows(redis, config.redisPrefix)),
  );
}
