import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryRateLimiter, type RateLimiter } from '../src/store/rate-limiter.js';
import { RedisRateLimiter } from '../src/store/redis-rate-limiter.js';
import { redisTest, type RedisTestEnv } from './helpers/redis-server.js';

const MINUTE = 60_000;

interface LimiterHarness {
  readonly limiter: RateLimiter;
  /** Moves the memory limiter's clock; Redis keeps real time, so its windows are short. */
  readonly passTime: (ms: number) => void;
  readonly close: () => Promise<void>;
}

function memoryHarness(): LimiterHarness {
  let now = Date.parse('2026-11-26T10:00:00.000Z');
  return {
    limiter: new MemoryRateLimiter(() => new Date(now)),
    passTime: (ms) => (now += ms),
    close: async () => undefined,
  };
}

function redisHarness({ url, prefix }: RedisTestEnv): LimiterHarness {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  return {
    limiter: new RedisRateLimiter(redis, prefix),
    passTime: () => undefined,
    close: async () => {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    },
  };
}

function rateLimiterContract(create: () => LimiterHarness): void {
  let h: LimiterHarness;
  beforeEach(() => {
    h = create();
  });
  afterEach(() => h.close());

  it('counts events per name and key within a window', async () => {
    expect(await h.limiter.hit('sms-in', 'ref-a', MINUTE)).toEqual({ count: 1 });
    expect(await h.limiter.hit('sms-in', 'ref-a', MINUTE)).toEqual({ count: 2 });
    expect(await h.limiter.hit('sms-in', 'ref-b', MINUTE)).toEqual({ count: 1 });
    expect(await h.limiter.hit('sms-out', 'ref-a', MINUTE)).toEqual({ count: 1 });
  });

  it('counts several events in one call, as the messages of one reply', async () => {
    expect(await h.limiter.hit('sms-out', 'ref-a', MINUTE, 3)).toEqual({ count: 3 });
    expect(await h.limiter.hit('sms-out', 'ref-a', MINUTE, 2)).toEqual({ count: 5 });
    expect(await h.limiter.hit('sms-out', 'ref-a', MINUTE)).toEqual({ count: 6 });
  });

  it('starts a new window once the last has ended', async () => {
    await h.limiter.hit('sms-in', 'ref-a', 200, 4);
    h.passTime(200);
    await vi.waitFor(
      async () => expect(await h.limiter.hit('sms-in', 'ref-a', 200, 2)).toEqual({ count: 2 }),
      { timeout: 3_000, interval: 50 },
    );
  });

  it('forgets every window of a key, and no other', async () => {
    await h.limiter.hit('sms-in', 'ref-a', MINUTE);
    await h.limiter.hit('sms-out', 'ref-a', MINUTE, 2);
    await h.limiter.hit('sms-in', 'ref-b', MINUTE);
    await h.limiter.forget('ref-a');
    expect(await h.limiter.hit('sms-in', 'ref-a', MINUTE)).toEqual({ count: 1 });
    expect(await h.limiter.hit('sms-out', 'ref-a', MINUTE)).toEqual({ count: 1 });
    expect(await h.limiter.hit('sms-in', 'ref-b', MINUTE)).toEqual({ count: 2 });
  });
}

describe('RateLimiter contract: MemoryRateLimiter', () => rateLimiterContract(memoryHarness));

describe('RateLimiter contract: RedisRateLimiter', () => {
  const redisEnv = redisTest();
  rateLimiterContract(() => redisHarness(redisEnv()));

  it('sends its registered script by digest, not its text on every count', async () => {
    const { url, prefix } = redisEnv();
    const redis = new Redis(url, { maxRetriesPerRequest: 1 });
    try {
      const limiter = new RedisRateLimiter(redis, prefix);
      // The first count may be sent twice (EVALSHA, then EVAL when Redis lacks the script).
      await limiter.hit('sms-in', 'ref-a', MINUTE);
      const sent = vi.spyOn(redis, 'sendCommand');
      await limiter.hit('sms-in', 'ref-a', MINUTE);
      await limiter.hit('sms-out', 'ref-a', MINUTE, 2);
      expect(sent.mock.calls.map(([command]) => command.name)).toEqual(['evalsha', 'evalsha']);
    } finally {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  });
});
