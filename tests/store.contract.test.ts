import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Answer, SessionStatus } from '../src/engine/types.js';
import { MemoryParticipantQueue } from '../src/store/memory-participant-queue.js';
import { MemorySessionStore } from '../src/store/memory-session-store.js';
import { participantRef } from '../src/store/participant-ref.js';
import { KeySchemeError, RedisKeyScheme, seenMember } from '../src/store/redis-keys.js';
import { RedisParticipantQueue, type QueueWarning } from '../src/store/redis-participant-queue.js';
import { MESSAGE_ID_LIMIT, RedisSessionStore } from '../src/store/redis-session-store.js';
import { MemoryRateLimiter, type RateHit, type RateLimiter } from '../src/store/rate-limiter.js';
import { RedisRateLimiter } from '../src/store/redis-rate-limiter.js';
import {
  DEDUPE_WINDOW_MS,
  HISTORY_LIMIT,
  ParticipantBusyError,
  StoreUnavailableError,
  type ParticipantKey,
  type ParticipantQueue,
  type SessionStore,
} from '../src/store/session-store.js';
import { freePort, redisTest, type RedisTestEnv } from './helpers/redis-server.js';
import {
  activeSession,
  sleep,
  scanKeys,
  removeKeys,
  useRedisScope,
} from './helpers/store-fixtures.js';

const SECRET = 'contract-test-secret-0123456789';
const PHONE: ParticipantKey = { channel: 'sms', address: '+447700900123' };
const SLACK: ParticipantKey = { channel: 'slack', address: 'U024BE7LH' };
const DAY_MS = 86_400_000;

function answered(value: string): Answer {
  return { status: 'answered', value, at: '2025-03-01T09:04:00.000Z' };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    sleep(ms).then(() => Promise.reject(new Error(`no answer within ${ms} ms`))),
  ]);
}

/** A client to a port nothing listens on, failing at once rather than queueing commands. */
async function unreachableRedis(): Promise<Redis> {
  const port = await freePort();
  return new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
}

// ---------------------------------------------------------------------------------------
// SessionStore
// ---------------------------------------------------------------------------------------

interface StoreHarness {
  readonly store: SessionStore;
  /** The limiter whose windows the store's hits count in. */
  readonly limiter: RateLimiter;
  /** Moves the memory store's clock; Redis keeps real time, so its tests poll instead. */
  readonly passTime: (ms: number) => void;
  /** Every key under the test's Redis prefix; undefined for a store without keys. */
  readonly storedKeys: (() => Promise<string[]>) | undefined;
  readonly close: () => Promise<void>;
}

function memoryStoreHarness(): StoreHarness {
  let now = Date.parse('2025-03-01T09:05:00.000Z');
  const clock = () => new Date(now);
  const limiter = new MemoryRateLimiter(clock);
  return {
    store: new MemorySessionStore(clock, { limiter }),
    limiter,
    passTime: (ms) => (now += ms),
    storedKeys: undefined,
    close: async () => undefined,
  };
}

function redisStoreHarness({ url, prefix }: RedisTestEnv): StoreHarness {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  return {
    store: new RedisSessionStore({ redis, prefix, secret: SECRET }),
    limiter: new RedisRateLimiter(redis, prefix),
    passTime: () => undefined,
    storedKeys: () => scanKeys(redis, prefix),
    close: async () => {
      await removeKeys(redis, prefix);
      redis.disconnect();
    },
  };
}

function sessionStoreContract(create: () => StoreHarness): void {
  let h: StoreHarness;
  beforeEach(() => {
    h = create();
  });
  afterEach(() => h.close());

  it('knows nothing about a participant it has never seen', async () => {
    expect(await h.store.load(PHONE)).toBeUndefined();
    expect(await h.store.history(PHONE)).toEqual([]);
    expect(await h.store.isOptedOut(PHONE)).toBe(false);
    expect(await h.store.seen(PHONE, 'SM1')).toBe(false);
  });

  it('saves a first session only against expectedRevision null', async () => {
    expect(
      await h.store.commit(PHONE, {
        session: activeSession(1),
        expectedRevision: 0,
        ttlMs: DAY_MS,
      }),
    ).toBe('conflict');
    expect(
      await h.store.commit(PHONE, {
        session: activeSession(1),
        expectedRevision: null,
        ttlMs: DAY_MS,
      }),
    ).toBe('saved');
    expect(await h.store.load(PHONE)).toEqual(activeSession(1));
    expect(
      await h.store.commit(PHONE, {
        session: activeSession(1),
        expectedRevision: null,
        ttlMs: DAY_MS,
      }),
    ).toBe('conflict');
  });

  it('refuses a stale revision and leaves the stored session untouched', async () => {
    const second = activeSession(2, { answers: { visit: answered('weekly') } });
    await h.store.commit(PHONE, {
      session: activeSession(1),
      expectedRevision: null,
      ttlMs: DAY_MS,
    });
    expect(
      await h.store.commit(PHONE, { session: second, expectedRevision: 1, ttlMs: DAY_MS }),
    ).toBe('saved');
    const stale = activeSession(2, { answers: { visit: answered('never') } });
    expect(
      await h.store.commit(PHONE, { session: stale, expectedRevision: 1, ttlMs: DAY_MS }),
    ).toBe('conflict');
    expect(await h.store.load(PHONE)).toEqual(second);
  });

  it('lets exactly one of 20 concurrent commits from the same revision win', async () => {
    const firsts = await Promise.all(
      Array.from({ length: 20 }, () =>
        h.store.commit(PHONE, { session: activeSession(1), expectedRevision: null, ttlMs: DAY_MS }),
      ),
    );
    expect(firsts.filter((result) => result === 'saved')).toHaveLength(1);
    const rivals = Array.from({ length: 20 }, (_, i) =>
      activeSession(2, { answers: { visit: answered(`rival ${i}`) } }),
    );
    const results = await Promise.all(
      rivals.map((rival) =>
        h.store.commit(PHONE, { session: rival, expectedRevision: 1, ttlMs: DAY_MS }),
      ),
    );
    expect(results.filter((result) => result === 'saved')).toHaveLength(1);
    expect(results.filter((result) => result === 'conflict')).toHaveLength(19);
    expect(await h.store.load(PHONE)).toEqual(rivals[results.indexOf('saved')]);
  });

  it('refuses a message id it has seen, also after the session changed', async () => {
    await h.store.commit(PHONE, {
      session: activeSession(1),
      expectedRevision: null,
      messageId: 'SM1',
      ttlMs: DAY_MS,
    });
    expect(await h.store.seen(PHONE, 'SM1')).toBe(true);
    expect(await h.store.seen(PHONE, 'SM2')).toBe(false);
    expect(await h.store.seen(SLACK, 'SM1')).toBe(false);
    expect(
      await h.store.commit(PHONE, {
        session: activeSession(2),
        expectedRevision: 1,
        messageId: 'SM1',
        ttlMs: DAY_MS,
      }),
    ).toBe('duplicate');
    expect(await h.store.load(PHONE)).toEqual(activeSession(1));
    expect(
      await h.store.commit(PHONE, {
        session: activeSession(2),
        expectedRevision: 1,
        messageId: 'SM2',
        ttlMs: DAY_MS,
      }),
    ).toBe('saved');
    // A provider's late retry is a duplicate, not a conflict, though its revision is stale.
    expect(
      await h.store.commit(PHONE, {
        session: activeSession(2),
        expectedRevision: 1,
        messageId: 'SM1',
        ttlMs: DAY_MS,
      }),
    ).toBe('duplicate');
    // A refused commit does not mark its message as handled: the retry must be able to succeed.
    expect(
      await h.store.commit(PHONE, {
        session: activeSession(3),
        expectedRevision: 9,
        messageId: 'SM3',
        ttlMs: DAY_MS,
      }),
    ).toBe('conflict');
    expect(await h.store.seen(PHONE, 'SM3')).toBe(false);
  });

  it('forgets a session after its ttl, but still knows its message ids', async () => {
    await h.store.commit(PHONE, {
      session: activeSession(1),
      expectedRevision: null,
      messageId: 'SM1',
      ttlMs: 300,
    });
    expect(await h.store.load(PHONE)).toEqual(activeSession(1));
    h.passTime(301);
    await vi.waitFor(async () => expect(await h.store.load(PHONE)).toBeUndefined(), {
      timeout: 3_000,
      interval: 20,
    });
    expect(await h.store.seen(PHONE, 'SM1')).toBe(true);
    expect(
      await h.store.commit(PHONE, {
        session: activeSession(1),
        expectedRevision: null,
        ttlMs: DAY_MS,
      }),
    ).toBe('saved');
  });

  it('sets the opt-out flag from an opted_out session, and clears it on request', async () => {
    await h.store.commit(PHONE, {
      session: activeSession(1),
      expectedRevision: null,
      ttlMs: DAY_MS,
    });
    expect(await h.store.isOptedOut(PHONE)).toBe(false);
    await h.store.commit(PHONE, {
      session: activeSession(2, { status: 'opted_out' }),
      expectedRevision: 1,
      ttlMs: DAY_MS,
    });
    expect(await h.store.isOptedOut(PHONE)).toBe(true);
    expect(await h.store.isOptedOut(SLACK)).toBe(false);
    await h.store.setOptedOut(PHONE, false);
    expect(await h.store.isOptedOut(PHONE)).toBe(false);
    await h.store.setOptedOut(PHONE, true);
    expect(await h.store.isOptedOut(PHONE)).toBe(true);
  });

  it('opens a participant in one read: duplicate, opt-out and session together', async () => {
    expect(await h.store.open(PHONE, 'SM1')).toEqual({
      duplicate: false,
      optedOut: false,
      session: undefined,
    });
    await h.store.commit(PHONE, {
      session: activeSession(1),
      expectedRevision: null,
      messageId: 'SM1',
      ttlMs: DAY_MS,
    });
    expect(await h.store.open(PHONE, 'SM1')).toEqual({
      duplicate: true,
      optedOut: false,
      session: activeSession(1),
    });
    expect(await h.store.open(PHONE, 'SM2')).toEqual({
      duplicate: false,
      optedOut: false,
      session: activeSession(1),
    });
    expect(await h.store.open(PHONE, undefined)).toEqual({
      duplicate: false,
      optedOut: false,
      session: activeSession(1),
    });
    await h.store.setOptedOut(PHONE, true);
    expect((await h.store.open(PHONE, undefined)).optedOut).toBe(true);
    expect(await h.store.open(SLACK, 'SM1')).toEqual({
      duplicate: false,
      optedOut: false,
      session: undefined,
    });
  });

  it('counts a hit in open, and a commit’s hit only when its change is saved', async () => {
    const counts: number[] = [];
    const hit = (name: string, events: number): RateHit => ({
      name,
      key: participantRef(PHONE, SECRET),
      windowMs: DAY_MS,
      events,
      counted: (count) => counts.push(count),
    });
    await h.limiter.hit('sms-in', participantRef(PHONE, SECRET), DAY_MS);
    await h.store.open(PHONE, 'SM1', undefined, hit('sms-in', 1));
    const first = {
      session: activeSession(1),
      expectedRevision: null,
      messageId: 'SM1',
      ttlMs: DAY_MS,
    };
    expect(await h.store.commit(PHONE, { ...first, hit: hit('sms-out', 2) })).toBe('saved');
    expect(await h.store.commit(PHONE, { ...first, hit: hit('sms-out', 2) })).toBe('duplicate');
    const stale = { ...first, messageId: 'SM2', hit: hit('sms-out', 2) };
    expect(await h.store.commit(PHONE, stale)).toBe('conflict');
    expect(counts).toEqual([2, 2]);
    // The store's hits are the limiter's own windows, under the participant's ref.
    expect(await h.limiter.hit('sms-in', participantRef(PHONE, SECRET), DAY_MS)).toEqual({
      count: 3,
    });
    expect(await h.limiter.hit('sms-out', participantRef(PHONE, SECRET), DAY_MS)).toEqual({
      count: 3,
    });
  });

  it(`keeps ended sessions newest first, at most ${HISTORY_LIMIT}`, async () => {
    const ended: readonly SessionStatus[] = ['completed', 'expired', 'opted_out', 'halted'];
    const endedStatus = (revision: number): SessionStatus =>
      ended[revision % ended.length] ?? 'completed';
    await h.store.commit(PHONE, {
      session: activeSession(1),
      expectedRevision: null,
      ttlMs: DAY_MS,
    });
    const last = HISTORY_LIMIT + 6;
    for (let revision = 2; revision <= last; revision++) {
      const status = revision % 3 === 0 ? 'active' : endedStatus(revision);
      const change = {
        session: activeSession(revision, { status }),
        expectedRevision: revision - 1,
        ttlMs: DAY_MS,
      };
      expect(await h.store.commit(PHONE, change)).toBe('saved');
    }
    const history = await h.store.history(PHONE);
    const endedRevisions = Array.from({ length: last - 1 }, (_, i) => last - i).filter(
      (revision) => revision % 3 !== 0,
    );
    expect(history.map((entry) => entry.revision)).toEqual(endedRevisions.slice(0, HISTORY_LIMIT));
    expect(history[0]).toEqual(activeSession(last, { status: endedStatus(last) }));
    expect(await h.store.history(SLACK)).toEqual([]);
  });

  it('forgets everything about a participant on delete, and nobody else', async () => {
    await h.store.commit(SLACK, {
      session: activeSession(1),
      expectedRevision: null,
      messageId: 'E1',
      ttlMs: DAY_MS,
    });
    await h.store.commit(PHONE, {
      session: activeSession(1),
      expectedRevision: null,
      messageId: 'SM1',
      ttlMs: DAY_MS,
    });
    await h.store.commit(PHONE, {
      session: activeSession(2, { status: 'opted_out' }),
      expectedRevision: 1,
      ttlMs: DAY_MS,
    });
    await h.store.delete(PHONE);
    expect(await h.store.load(PHONE)).toBeUndefined();
    expect(await h.store.history(PHONE)).toEqual([]);
    expect(await h.store.isOptedOut(PHONE)).toBe(false);
    expect(await h.store.seen(PHONE, 'SM1')).toBe(false);
    expect(await h.store.load(SLACK)).toEqual(activeSession(1));
    expect(await h.store.seen(SLACK, 'E1')).toBe(true);
    if (h.storedKeys !== undefined) {
      const ref = participantRef(PHONE, SECRET);
      expect((await h.storedKeys()).filter((key) => key.includes(ref))).toEqual([]);
    }
    expect(
      await h.store.commit(PHONE, {
        session: activeSession(1),
        expectedRevision: null,
        ttlMs: DAY_MS,
      }),
    ).toBe('saved');
  });

  it('ping answers true while the store is usable', async () => {
    expect(await h.store.ping()).toBe(true);
  });
}

describe('SessionStore contract: MemorySessionStore', () =>
  sessionStoreContract(memoryStoreHarness));

describe('SessionStore contract: RedisSessionStore', () => {
  const redisEnv = redisTest();
  sessionStoreContract(() => redisStoreHarness(redisEnv()));
});

describe('RedisSessionStore in Redis', () => {
  const redisEnv = redisTest();
  let env: RedisTestEnv;
  let redis: Redis;
  let store: RedisSessionStore;
  beforeEach(() => {
    env = redisEnv();
    redis = new Redis(env.url, { maxRetriesPerRequest: 1 });
    store = new RedisSessionStore({ redis, prefix: env.prefix, secret: SECRET });
  });
  afterEach(async () => {
    await removeKeys(redis, env.prefix);
    redis.disconnect();
  });
  const keysOf = (key: ParticipantKey) =>
    new RedisKeyScheme({ prefix: env.prefix, secret: SECRET }).participant(key);

  it('counts a message’s hits within its open and commit scripts: no call of their own', async () => {
    const ref = participantRef(PHONE, SECRET);
    const hit = (name: string): RateHit => ({
      name,
      key: ref,
      windowMs: DAY_MS,
      events: 1,
      counted: () => undefined,
    });
    // Registers the scripts (the first call may be sent twice: EVALSHA, then EVAL).
    await store.open(PHONE, 'SM0', undefined, hit('sms-in'));
    await store.commit(PHONE, {
      session: activeSession(1),
      expectedRevision: null,
      ttlMs: DAY_MS,
      hit: hit('sms-out'),
    });
    const sent = vi.spyOn(redis, 'sendCommand');
    await store.open(PHONE, 'SM1', undefined, hit('sms-in'));
    await store.commit(PHONE, {
      session: activeSession(2),
      expectedRevision: 1,
      messageId: 'SM1',
      ttlMs: DAY_MS,
      hit: hit('sms-out'),
    });
    expect(sent.mock.calls.map(([command]) => command.name)).toEqual(['evalsha', 'evalsha']);
    expect(await redis.get(`${env.prefix}rate:sms-out:{${ref}}`)).toBe('2');
  });

  it('keeps the session JSON compact', async () => {
    const answers = Object.fromEntries(
      ['visit', 'staff', 'food', 'activities', 'transport', 'weekends', 'recommend'].map((name) => [
        name,
        answered(name === 'staff' ? 'The staff are kind and always have time for a chat.' : '4'),
      ]),
    );
    const full = activeSession(8, { answers, params: { name: 'Alys' } });
    await store.commit(PHONE, { session: full, expectedRevision: null, ttlMs: DAY_MS });
    const json = await redis.hget(
      new RedisKeyScheme({ prefix: env.prefix, secret: SECRET }).participant(PHONE).session,
      'json',
    );
    expect(json).not.toBeNull();
    expect(json?.length).toBeLessThan(1_500);
    expect(json).not.toContain('\n');
    expect(await store.load(PHONE)).toEqual(full);
  });

  it('never puts an address in a key', async () => {
    const queue = new RedisParticipantQueue({ redis, prefix: env.prefix, secret: SECRET });
    for (const key of [PHONE, SLACK]) {
      await store.commit(key, {
        session: activeSession(1),
        expectedRevision: null,
        messageId: 'M1',
        ttlMs: DAY_MS,
      });
      await store.commit(key, {
        session: activeSession(2, { status: 'opted_out' }),
        expectedRevision: 1,
        ttlMs: DAY_MS,
      });
      // The queue's keys exist while work holds the turn.
      await queue.run(key, async () => {
        const keys = await scanKeys(redis, env.prefix);
        expect(keys.filter((k) => k.endsWith(':queue') || k.endsWith(':alive'))).toHaveLength(2);
      });
    }
    const keys = await scanKeys(redis, env.prefix);
    // session, history and optout of each: message ids are fields of the session hash.
    expect(keys.length).toBeGreaterThanOrEqual(6);
    for (const key of keys) {
      expect(key).not.toContain('447700900123');
      expect(key).not.toContain('U024BE7LH');
      expect(key).toMatch(
        /^cvtest:[0-9a-f]+:p:\{[A-Za-z0-9_-]{22}\}:(session|seen|history|optout|queue|alive)$/,
      );
    }
    // A day's ttl is shorter than the id's window: `exp` ends the session in the meantime.
    const fields = await redis.hkeys(keysOf(PHONE).session);
    expect(fields.sort()).toEqual(['exp', 'ids', 'json', 'rev']);
  });

  it('keeps message ids in the session hash, within their window, bounded', async () => {
    const { session: hash } = keysOf(PHONE);
    await store.commit(PHONE, { session: activeSession(1), expectedRevision: null, ttlMs: DAY_MS });
    const lapsed = `${seenMember('SM-old')}${Date.now() - 1_000}`;
    await redis.hset(hash, 'ids', lapsed);
    for (let revision = 2; revision <= MESSAGE_ID_LIMIT + 6; revision++) {
      const change = { session: activeSession(revision), expectedRevision: revision - 1 };
      await store.commit(PHONE, { ...change, messageId: `SM${revision}`, ttlMs: DAY_MS });
    }
    const ids = (await redis.hget(hash, 'ids')) ?? '';
    expect(ids).toHaveLength(MESSAGE_ID_LIMIT * 29);
    expect(ids).not.toContain(seenMember('SM-old'));
    expect(ids.endsWith(`${seenMember(`SM${MESSAGE_ID_LIMIT + 6}`)}`, ids.length - 13)).toBe(true);
    expect(await store.seen(PHONE, `SM${MESSAGE_ID_LIMIT + 6}`)).toBe(true);
    expect(await store.seen(PHONE, 'SM7')).toBe(true);
    // The earliest ids make room first.
    expect(await store.seen(PHONE, 'SM2')).toBe(false);
    expect(await redis.pttl(hash)).toBeGreaterThan(DAY_MS - 60_000);
  });

  it('keeps the message ids of a session removed by its commit, for their window', async () => {
    const { session: hash } = keysOf(PHONE);
    await store.commit(PHONE, {
      session: activeSession(1),
      expectedRevision: null,
      messageId: 'SM1',
      ttlMs: DAY_MS,
    });
    const ended = { session: activeSession(2, { status: 'completed' }), expectedRevision: 1 };
    expect(await store.commit(PHONE, { ...ended, messageId: 'SM2', ttlMs: 0 })).toBe('saved');
    expect(await store.load(PHONE)).toBeUndefined();
    expect(await store.seen(PHONE, 'SM1')).toBe(true);
    expect(await store.commit(PHONE, { ...ended, messageId: 'SM2', ttlMs: 0 })).toBe('duplicate');
    expect(await redis.hkeys(hash)).toEqual(['ids']);
    expect(await redis.hget(hash, 'ids')).toMatch(
      new RegExp(`^${seenMember('SM1')}\\d{13}${seenMember('SM2')}\\d{13}$`),
    );
    expect(await redis.pttl(hash)).toBeGreaterThan(DEDUPE_WINDOW_MS - 60_000);
    expect(
      await store.commit(PHONE, {
        session: activeSession(3),
        expectedRevision: null,
        ttlMs: DAY_MS,
      }),
    ).toBe('saved');
  });

  it('reads what earlier versions stored: a whole session JSON and a seen set', async () => {
    const keys = keysOf(PHONE);
    await redis.hset(keys.session, 'rev', '1', 'json', JSON.stringify(activeSession(1)));
    await redis.zadd(keys.seen, Date.now() + DAY_MS, seenMember('SM1'));
    expect(await store.open(PHONE, 'SM1')).toEqual({
      duplicate: true,
      optedOut: false,
      session: activeSession(1),
    });
    const change = { session: activeSession(2), expectedRevision: 1, ttlMs: DAY_MS };
    expect(await store.commit(PHONE, { ...change, messageId: 'SM1' })).toBe('duplicate');
    expect(await store.commit(PHONE, { ...change, messageId: 'SM2' })).toBe('saved');
    expect(await store.load(PHONE)).toEqual(activeSession(2));
  });

  it('fails with StoreUnavailableError when Redis cannot be reached, and ping says false', async () => {
    const down = await unreachableRedis();
    const offline = new RedisSessionStore({ redis: down, prefix: env.prefix, secret: SECRET });
    try {
      const attempts: Promise<unknown>[] = [
        offline.load(PHONE),
        offline.commit(PHONE, {
          session: activeSession(1),
          expectedRevision: null,
          messageId: 'SM1',
          ttlMs: DAY_MS,
        }),
        offline.seen(PHONE, 'SM1'),
        offline.history(PHONE),
        offline.isOptedOut(PHONE),
        offline.setOptedOut(PHONE, true),
        offline.delete(PHONE),
      ];
      for (const attempt of attempts) {
        const error: unknown = await attempt.then(
          () => undefined,
          (failure: unknown) => failure,
        );
        expect(error).toBeInstanceOf(StoreUnavailableError);
        expect((error as StoreUnavailableError).code).toBe('store_unavailable');
        expect((error as StoreUnavailableError).cause).toBeInstanceOf(Error);
      }
      expect(await offline.ping()).toBe(false);
    } finally {
      down.disconnect();
    }
  });

  it('ping gives up after its timeout when Redis does not answer', async () => {
    const port = await freePort();
    // Queues commands and keeps reconnecting: without a timeout, ping would wait for ever.
    const hanging = new Redis({
      port,
      host: '127.0.0.1',
      maxRetriesPerRequest: null,
      retryStrategy: () => 50,
    });
    hanging.on('error', () => undefined);
    const slow = new RedisSessionStore({
      redis: hanging,
      prefix: env.prefix,
      secret: SECRET,
      pingTimeoutMs: 200,
    });
    try {
      const started = performance.now();
      expect(await slow.ping()).toBe(false);
      expect(performance.now() - started).toBeLessThan(2_000);
    } finally {
      hanging.disconnect();
    }
  });
});

describe('RedisKeyScheme', () => {
  it('refuses a prefix that would break the cluster hash tag, and an empty secret', () => {
    expect(() => new RedisKeyScheme({ prefix: 'cv:{eu}:', secret: SECRET })).toThrow(
      expect.objectContaining({ code: 'key_prefix_invalid' }),
    );
    expect(() => new RedisKeyScheme({ secret: '' })).toThrow(KeySchemeError);
  });

  it('puts all of a participant’s keys in one hash slot, and no one else’s', () => {
    const phone = Object.values(new RedisKeyScheme({ secret: SECRET }).participant(PHONE));
    const slack = Object.values(new RedisKeyScheme({ secret: SECRET }).participant(SLACK));
    const tag = (key: string): string | undefined => /\{([^}]+)\}/.exec(key)?.[1];
    expect(new Set(phone.map(tag)).size).toBe(1);
    expect(tag(phone[0] ?? '')).not.toBe(tag(slack[0] ?? ''));
    expect(phone.every((key) => key.startsWith('cv:p:{'))).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------
// ParticipantQueue
// ---------------------------------------------------------------------------------------

interface QueueHarness {
  readonly queue: ParticipantQueue;
  readonly close: () => Promise<void>;
}

function memoryQueueHarness(): QueueHarness {
  const queue = new MemoryParticipantQueue();
  return { queue, close: () => queue.close() };
}

function redisQueueHarness({ url, prefix }: RedisTestEnv): QueueHarness {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  const queue = new RedisParticipantQueue({ redis, prefix, secret: SECRET });
  return {
    queue,
    close: async () => {
      await queue.close();
      // A clean run leaves no queue keys behind.
      expect(await scanKeys(redis, prefix)).toEqual([]);
      redis.disconnect();
    },
  };
}

function participantQueueContract(create: () => QueueHarness): void {
  let h: QueueHarness;
  beforeEach(() => {
    h = create();
  });
  afterEach(() => h.close());

  it('runs one participant’s work one at a time, in order of arrival', async () => {
    const finished: number[] = [];
    let running = 0;
    let mostAtOnce = 0;
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        h.queue.run(PHONE, async () => {
          running++;
          mostAtOnce = Math.max(mostAtOnce, running);
          await sleep((i * 7) % 5);
          finished.push(i);
          running--;
          return i * 2;
        }),
      ),
    );
    expect(mostAtOnce).toBe(1);
    expect(finished).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(results).toEqual(Array.from({ length: 50 }, (_, i) => i * 2));
  });

  it('runs different participants in parallel', async () => {
    let secondStarted!: () => void;
    const started = new Promise<void>((resolve) => (secondStarted = resolve));
    // If the queue ran them one after the other, the first would wait for the second for ever.
    const first = h.queue.run(PHONE, () => withTimeout(started, 3_000).then(() => 'first'));
    const second = h.queue.run(SLACK, async () => {
      secondStarted();
      return 'second';
    });
    expect(await Promise.all([first, second])).toEqual(['first', 'second']);
  });

  it('passes on an error from the work and lets the next message run', async () => {
    const failing = h.queue.run(PHONE, async () => {
      await sleep(5);
      throw new Error('handler failed');
    });
    const next = h.queue.run(PHONE, async () => 'next');
    await expect(failing).rejects.toThrow('handler failed');
    await expect(next).resolves.toBe('next');
  });
}

describe('ParticipantQueue contract: MemoryParticipantQueue', () =>
  participantQueueContract(memoryQueueHarness));

describe('ParticipantQueue contract: RedisParticipantQueue', () => {
  const redisEnv = redisTest();
  participantQueueContract(() => redisQueueHarness(redisEnv()));
});

describe('RedisParticipantQueue across processes', () => {
  const env = useRedisScope(redisTest());
  const keysOf = (key: ParticipantKey): ReturnType<RedisKeyScheme['participant']> =>
    new RedisKeyScheme({ prefix: env.prefix, secret: SECRET }).participant(key);
  /** Puts a token at the back of the queue by hand, as a process that then died would leave it. */
  const pushToken = async (redis: Redis, token: string, leaseLeftMs: number): Promise<void> => {
    const [seconds, micros] = await redis.time();
    const nowMs = Number(seconds) * 1_000 + Math.floor(Number(micros) / 1_000);
    const { queue, alive } = keysOf(PHONE);
    await redis.rpush(queue, token);
    await redis.hset(alive, token, String(nowMs + leaseLeftMs));
    await redis.pexpire(queue, 60_000);
    await redis.pexpire(alive, 60_000);
  };

  it('never overlaps work for one participant between processes', async () => {
    const processes = [0, 1, 2].map(
      () => new RedisParticipantQueue({ redis: env.client(), prefix: env.prefix, secret: SECRET }),
    );
    const finished: string[] = [];
    let running = 0;
    let mostAtOnce = 0;
    await Promise.all(
      Array.from({ length: 45 }, (_, i) =>
        processes[i % 3]?.run(PHONE, async () => {
          running++;
          mostAtOnce = Math.max(mostAtOnce, running);
          await sleep(i % 4);
          finished.push(`${i % 3}:${Math.floor(i / 3)}`);
          running--;
        }),
      ),
    );
    expect(mostAtOnce).toBe(1);
    expect(finished).toHaveLength(45);
    // Each process sends its joins down one connection, so its own messages keep their order.
    for (const owner of ['0', '1', '2']) {
      const own = finished
        .filter((entry) => entry.startsWith(`${owner}:`))
        .map((entry) => Number(entry.split(':')[1]));
      expect(own).toEqual(Array.from({ length: 15 }, (_, i) => i));
    }
  });

  it('does not let a crashed holder block the participant for longer than its lease', async () => {
    const warnings: QueueWarning[] = [];
    const doomedClient = env.client();
    const doomed = new RedisParticipantQueue({
      redis: doomedClient,
      prefix: env.prefix,
      secret: SECRET,
      leaseMs: 300,
      warn: (warning) => warnings.push(warning),
    });
    let finishDoomedWork!: () => void;
    let doomedHolds!: () => void;
    const holding = new Promise<void>((resolve) => (doomedHolds = resolve));
    const doomedRun = doomed.run(PHONE, () => {
      doomedHolds();
      return new Promise<void>((resolve) => (finishDoomedWork = resolve));
    });
    await holding;
    doomedClient.disconnect(); // the process is gone: no renewal, no release
    const survivor = new RedisParticipantQueue({
      redis: env.client(),
      prefix: env.prefix,
      secret: SECRET,
    });
    const started = performance.now();
    await expect(survivor.run(PHONE, async () => 'ran')).resolves.toBe('ran');
    expect(performance.now() - started).toBeLessThan(3_000);
    finishDoomedWork();
    await doomedRun;
    expect(warnings.map((warning) => warning.code)).toContain('release_failed');
  });

  it('drops a token left with a lapsed lease, and waits for one whose lease is still running', async () => {
    const redis = env.client();
    const queue = new RedisParticipantQueue({ redis, prefix: env.prefix, secret: SECRET });
    await pushToken(redis, 'crashed-long-ago', -1);
    await expect(
      withTimeout(
        queue.run(PHONE, async () => 'at once'),
        1_000,
      ),
    ).resolves.toBe('at once');
    await pushToken(redis, 'crashed-just-now', 400);
    const started = performance.now();
    await expect(queue.run(PHONE, async () => 'after the lease')).resolves.toBe('after the lease');
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('renews the lease of slow work, so the next message waits for it', async () => {
    const slow = new RedisParticipantQueue({
      redis: env.client(),
      prefix: env.prefix,
      secret: SECRET,
      leaseMs: 150,
    });
    const other = new RedisParticipantQueue({
      redis: env.client(),
      prefix: env.prefix,
      secret: SECRET,
      leaseMs: 150,
    });
    const events: string[] = [];
    let slowHolds!: () => void;
    const holding = new Promise<void>((resolve) => (slowHolds = resolve));
    const first = slow.run(PHONE, async () => {
      slowHolds();
      events.push('slow start');
      await sleep(700);
      events.push('slow end');
    });
    await holding;
    await other.run(PHONE, async () => events.push('next'));
    await first;
    expect(events).toEqual(['slow start', 'slow end', 'next']);
  });

  it('gives up with ParticipantBusyError after the wait limit, leaving its place', async () => {
    const redis = env.client();
    const queue = new RedisParticipantQueue({
      redis,
      prefix: env.prefix,
      secret: SECRET,
      maxWaitMs: 200,
    });
    await pushToken(redis, 'stuck-holder', 10_000);
    const work = vi.fn(async () => 'never');
    const started = performance.now();
    await expect(queue.run(PHONE, work)).rejects.toBeInstanceOf(ParticipantBusyError);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(work).not.toHaveBeenCalled();
    const { queue: queueKey, alive } = keysOf(PHONE);
    expect(await redis.lrange(queueKey, 0, -1)).toEqual(['stuck-holder']);
    expect(await redis.hkeys(alive)).toEqual(['stuck-holder']);
  });

  it('joins again when its place was taken away while it waited', async () => {
    const redis = env.client();
    const queue = new RedisParticipantQueue({ redis, prefix: env.prefix, secret: SECRET });
    await pushToken(redis, 'holder', 400);
    const run = queue.run(PHONE, async () => 'ran');
    const { queue: queueKey, alive } = keysOf(PHONE);
    const waiter = await vi.waitFor(
      async () => {
        const token = (await redis.lrange(queueKey, 0, -1))[1];
        if (token === undefined) throw new Error('not queued yet');
        return token;
      },
      { timeout: 2_000, interval: 5 },
    );
    await redis.lrem(queueKey, 0, waiter);
    await redis.hdel(alive, waiter);
    await expect(run).resolves.toBe('ran');
  });

  it('fails with StoreUnavailableError, without running the work, when Redis cannot be reached', async () => {
    const down = await unreachableRedis();
    const queue = new RedisParticipantQueue({ redis: down, prefix: env.prefix, secret: SECRET });
    const work = vi.fn(async () => 'never');
    try {
      await expect(queue.run(PHONE, work)).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(work).not.toHaveBeenCalled();
    } finally {
      down.disconnect();
    }
  });
});
