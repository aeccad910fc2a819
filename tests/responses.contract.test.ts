import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Session } from '../src/engine/types.js';
import type { ResponseRecord } from '../src/responses/record.js';
import { MemoryResponseStore } from '../src/responses/memory-response-store.js';
import { RedisResponseOutbox, RedisResponseStore } from '../src/responses/redis-response-store.js';
import {
  RELAY_RECLAIM_MS,
  type ResponseOutbox,
  type ResponseStore,
} from '../src/responses/response-store.js';
import { MemoryFlowStats, RedisFlowStats, type FlowStats } from '../src/store/flow-stats.js';
import { MemorySessionStore } from '../src/store/memory-session-store.js';
import { RedisSessionStore } from '../src/store/redis-session-store.js';
import type { ParticipantKey, SessionStore } from '../src/store/session-store.js';
import { redisTest, type RedisTestEnv } from './helpers/redis-server.js';

const SECRET = 'responses-contract-secret-012345';
const FLOW = 'friends-and-family';

function person(n: number): ParticipantKey {
  return { channel: 'sms', address: `+4477009${String(n).padStart(5, '0')}` };
}

function ended(revision: number): Session {
  return {
    flowId: FLOW,
    flowVersion: 'v1',
    status: 'completed',
    stepId: 'thanks',
    language: 'en',
    variant: 'standard',
    role: undefined,
    attempts: 0,
    followUps: 0,
    answers: { rating: { status: 'answered', value: 4, at: '2026-11-26T09:04:00.000Z' } },
    params: {},
    startedAt: '2026-11-26T09:00:00.000Z',
    updatedAt: '2026-11-26T09:05:00.000Z',
    expiresAt: '2026-12-03T09:00:00.000Z',
    revision,
  };
}

function record(id: string): ResponseRecord {
  const session = ended(1);
  return {
    id,
    flowId: FLOW,
    flowVersion: session.flowVersion,
    respondent: `ref-${id}`,
    channel: 'sms',
    language: 'en',
    variant: 'standard',
    role: null,
    status: 'completed',
    answers: session.answers,
    consent: null,
    startedAt: session.startedAt,
    endedAt: '2026-11-26T09:05:00.000Z',
  };
}

interface Harness {
  readonly sessions: SessionStore;
  readonly responses: ResponseStore;
  readonly outbox: ResponseOutbox;
  /** A second relay's view of the same outbox. */
  readonly otherOutbox: ResponseOutbox;
  readonly stats: FlowStats;
  /** Makes entries taken and not acknowledged available again. */
  readonly lapseClaims: () => Promise<void>;
  readonly close: () => Promise<void>;
}

const SHORT_RECLAIM_MS = 200;

function memoryHarness(): Harness {
  let now = Date.parse('2026-11-26T09:05:00.000Z');
  const clock = (): Date => new Date(now);
  const responses = new MemoryResponseStore(clock);
  const stats = new MemoryFlowStats();
  return {
    sessions: new MemorySessionStore(clock, { responses, stats }),
    responses,
    outbox: responses,
    otherOutbox: responses,
    stats,
    lapseClaims: async () => {
      now += RELAY_RECLAIM_MS;
    },
    close: async () => responses.close(),
  };
}

function redisHarness({ url, prefix }: RedisTestEnv): Harness {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  const first = redis.duplicate();
  const second = redis.duplicate();
  return {
    sessions: new RedisSessionStore({ redis, prefix, secret: SECRET }),
    responses: new RedisResponseStore(redis, prefix),
    outbox: new RedisResponseOutbox(first, prefix, SHORT_RECLAIM_MS),
    otherOutbox: new RedisResponseOutbox(second, prefix, SHORT_RECLAIM_MS),
    stats: new RedisFlowStats(redis, prefix),
    lapseClaims: () => new Promise((resolve) => setTimeout(resolve, SHORT_RECLAIM_MS + 50)),
    close: async () => {
      // Only this test's keys, found with SCAN: a shared Redis is never flushed or blocked.
      const stream = redis.scanStream({ match: `${prefix}*`, count: 500 });
      for await (const keys of stream as AsyncIterable<string[]>) {
        if (keys.length > 0) await redis.del(...keys);
      }
      for (const client of [redis, first, second]) client.disconnect();
    },
  };
}

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

function responsesContract(create: () => Harness): void {
  let h: Harness;
  beforeEach(() => {
    h = create();
  });
  afterEach(() => h.close());

  async function complete(n: number, id: string, messageId = `SM${id}`): Promise<string> {
    return h.sessions.commit(person(n), {
      session: ended(1),
      expectedRevision: null,
      messageId,
      ttlMs: 60_000,
      record: record(id),
      counts: ['started', 'completed'],
    });
  }

  it('stores the record and counts with the session, in order, and lists them in pages', async () => {
    for (let n = 0; n < 7; n++) expect(await complete(n, `r${n}`)).toBe('saved');
    const listed = await all(h.responses.list(FLOW, { pageSize: 3 }));
    expect(listed.map((r) => r.id)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
    expect(listed[0]).toEqual(record('r0'));
    expect(await h.responses.count(FLOW)).toBe(7);
    expect(await all(h.responses.list('another-flow'))).toEqual([]);
    const counts = await h.stats.read(FLOW);
    expect([counts.started, counts.completed, counts.invited]).toEqual([7, 7, 0]);
  });

  it('writes no record when the commit is refused as a conflict or a duplicate', async () => {
    expect(await complete(1, 'first', 'SM1')).toBe('saved');
    // Same message id again: a provider's retry.
    expect(await complete(1, 'retry', 'SM1')).toBe('duplicate');
    const stale = await h.sessions.commit(person(1), {
      session: ended(2),
      expectedRevision: null,
      ttlMs: 60_000,
      record: record('stale'),
      counts: ['completed'],
    });
    expect(stale).toBe('conflict');
    expect((await all(h.responses.list(FLOW))).map((r) => r.id)).toEqual(['first']);
    expect((await h.stats.read(FLOW)).completed).toBe(1);
  });

  it('lists only records stored since a time', async () => {
    await complete(1, 'old');
    const future = new Date(Date.now() + 3_600_000 * 24 * 365 * 50);
    expect(await all(h.responses.list(FLOW, { since: future }))).toEqual([]);
    expect((await all(h.responses.list(FLOW, { since: new Date(0) }))).length).toBe(1);
  });

  it('hands each outbox entry to one relay until it is acknowledged', async () => {
    await complete(1, 'a');
    await complete(2, 'b');
    const taken = await h.outbox.take('relay-1', 10, 10);
    expect(taken.map((e) => e.record.id)).toEqual(['a', 'b']);
    expect(await h.otherOutbox.take('relay-2', 10, 10)).toEqual([]);
    await h.outbox.acknowledge(taken.map((e) => e.entryId));
    await h.lapseClaims();
    expect(await h.otherOutbox.take('relay-2', 10, 10)).toEqual([]);
  });

  it('gives an entry that was never acknowledged to another relay after the claim lapses', async () => {
    await complete(1, 'lost-relay');
    expect((await h.outbox.take('relay-1', 10, 10)).length).toBe(1);
    await h.lapseClaims();
    const again = await h.otherOutbox.take('relay-2', 10, 10);
    expect(again.map((e) => e.record.id)).toEqual(['lost-relay']);
  });

  it('wakes a waiting relay when a record arrives', async () => {
    const waiting = h.outbox.take('relay-1', 10, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await complete(3, 'late');
    expect((await waiting).map((e) => e.record.id)).toEqual(['late']);
  });
}

describe('responses and outbox: memory', () => responsesContract(memoryHarness));

describe('responses and outbox: Redis', () => {
  const env = redisTest();
  responsesContract(() => redisHarness(env()));
});

describe('Redis outbox after a failed read', () => {
  const env = redisTest();

  it('hands a relay its own entries whose reply it never saw, without waiting for the reclaim', async () => {
    const { url, prefix } = env();
    const redis = new Redis(url, { maxRetriesPerRequest: 1 });
    const reader = new Redis(url, { maxRetriesPerRequest: 0, lazyConnect: true });
    try {
      const sessions = new RedisSessionStore({ redis, prefix, secret: SECRET });
      // The default reclaim (a minute): the entry can only come back as this relay's own.
      const outbox = new RedisResponseOutbox(reader, prefix);
      expect(await outbox.take('relay-1', 10, 10)).toEqual([]);
      await sessions.commit(person(1), {
        session: ended(1),
        expectedRevision: null,
        ttlMs: 60_000,
        record: record('unseen'),
      });
      // The read that took it, whose reply was lost (say, Redis restarted as it answered).
      await redis.xreadgroup(
        'GROUP',
        'relay',
        'relay-1',
        'COUNT',
        10,
        'STREAMS',
        `${prefix}outbox`,
        '>',
      );
      reader.disconnect();
      await expect(outbox.take('relay-1', 10, 10)).rejects.toThrow();
      await reader.connect();
      const again = await outbox.take('relay-1', 10, 10);
      expect(again.map((entry) => entry.record.id)).toEqual(['unseen']);
      await outbox.acknowledge(again.map((entry) => entry.entryId));
      expect(await outbox.take('relay-1', 10, 10)).toEqual([]);
    } finally {
      const stream = redis.scanStream({ match: `${prefix}*`, count: 500 });
      for await (const keys of stream as AsyncIterable<string[]>) {
        if (keys.length > 0) await redis.del(...keys);
      }
      redis.disconnect();
      reader.disconnect();
    }
  });
});
