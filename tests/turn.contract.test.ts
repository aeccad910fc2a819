import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryParticipantQueue } from '../src/store/memory-participant-queue.js';
import { MemorySessionStore } from '../src/store/memory-session-store.js';
import { RedisParticipantQueue } from '../src/store/redis-participant-queue.js';
import { RedisSessionStore } from '../src/store/redis-session-store.js';
import type { ParticipantKey, ParticipantQueue, SessionStore } from '../src/store/session-store.js';
import { redisTest, type RedisTestEnv } from './helpers/redis-server.js';
import { activeSession, sleep, scanKeys, useRedisScope } from './helpers/store-fixtures.js';

/**
 * The message path as the conversation service drives it: `ParticipantQueue.runOpening`,
 * the store's `open` with the turn, and the last `commit` giving it back. A Redis store
 * folds taking and giving back the turn into its own scripts; every pair must still keep
 * one message per participant at a time, in order, across processes.
 */

const SECRET = 'turn-contract-secret-0123456789';
const PHONE: ParticipantKey = { channel: 'sms', address: '+447700900123' };
const DAY_MS = 86_400_000;

/** One server process: its store and its queue. */
interface Process {
  readonly store: SessionStore;
  readonly queue: ParticipantQueue;
}

interface PathHarness {
  /** Processes sharing one set of sessions (one process for the memory pair). */
  readonly processes: readonly Process[];
  readonly close: () => Promise<void>;
}

function memoryHarness(): PathHarness {
  const process = {
    store: new MemorySessionStore(() => new Date('2025-03-01T09:05:00.000Z')),
    queue: new MemoryParticipantQueue(),
  };
  return { processes: [process, process, process], close: () => process.queue.close() };
}

function redisHarness({ url, prefix }: RedisTestEnv): PathHarness {
  const clients = [0, 1, 2].map(() => new Redis(url, { maxRetriesPerRequest: 1 }));
  const processes = clients.map((redis) => ({
    store: new RedisSessionStore({ redis, prefix, secret: SECRET }),
    queue: new RedisParticipantQueue({ redis, prefix, secret: SECRET }),
  }));
  return {
    processes,
    close: async () => {
      await Promise.all(processes.map((process) => process.queue.close()));
      const [redis] = clients;
      if (redis !== undefined) {
        const keys = await scanKeys(redis, prefix);
        // A clean run leaves no queue keys behind: every turn was given back.
        expect(keys.filter((key) => /:(queue|alive)$/.test(key))).toEqual([]);
        if (keys.length > 0) await redis.del(...keys);
      }
      for (const redis of clients) redis.disconnect();
    },
  };
}

/**
 * One message: open with the turn, a pause for the engine, commit giving the turn back.
 * `enter` is called once opened; what it returns, just before the commit.
 */
async function message(
  process: Process,
  id: string,
  enter: () => () => void = () => () => undefined,
): Promise<string> {
  return process.queue.runOpening(PHONE, async (turn) => {
    const opened = await process.store.open(PHONE, id, turn);
    const leave = enter();
    await sleep(Number.parseInt(id.slice(1), 10) % 3);
    const revision = opened.session?.revision ?? null;
    leave();
    return process.store.commit(PHONE, {
      session: activeSession((revision ?? 0) + 1),
      expectedRevision: revision,
      messageId: id,
      ttlMs: DAY_MS,
      release: turn,
    });
  });
}

function messagePathContract(create: () => PathHarness): void {
  let h: PathHarness;
  beforeEach(() => {
    h = create();
  });
  afterEach(() => h.close());

  it('takes one message at a time through open and commit, each process in its order, none lost', async () => {
    let running = 0;
    let mostAtOnce = 0;
    const order: string[] = [];
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => {
        const process = h.processes[i % 3] as Process;
        return message(process, `m${i}`, () => {
          order.push(`${i % 3}:${i}`);
          running++;
          mostAtOnce = Math.max(mostAtOnce, running);
          return () => running--;
        });
      }),
    );
    expect(results.every((result) => result === 'saved')).toBe(true);
    expect(mostAtOnce).toBe(1);
    const [first] = h.processes;
    expect((await first?.store.load(PHONE))?.revision).toBe(30);
    for (const owner of ['0', '1', '2']) {
      const own = order.filter((entry) => entry.startsWith(`${owner}:`));
      const sent = own.map((entry) => Number(entry.split(':')[1]));
      expect(sent).toEqual([...sent].sort((a, b) => a - b));
    }
  });

  it('gives the turn back from a commit refused as a conflict or a duplicate', async () => {
    const [process] = h.processes as [Process];
    expect(await message(process, 'm1')).toBe('saved');
    const refused = await process.queue.runOpening(PHONE, async (turn) => {
      await process.store.open(PHONE, 'm2', turn);
      return process.store.commit(PHONE, {
        session: activeSession(9),
        expectedRevision: 7,
        messageId: 'm2',
        ttlMs: DAY_MS,
        release: turn,
      });
    });
    expect(refused).toBe('conflict');
    expect(await message(process, 'm1')).toBe('duplicate');
    expect(await message(process, 'm3')).toBe('saved');
  });

  it('keeps the turn after a commit that does not give it back, until the work ends', async () => {
    const [one, two] = h.processes as [Process, Process];
    const events: string[] = [];
    let committed!: () => void;
    const afterCommit = new Promise<void>((resolve) => (committed = resolve));
    const first = one.queue.runOpening(PHONE, async (turn) => {
      const opened = await one.store.open(PHONE, 'm1', turn);
      await one.store.commit(PHONE, {
        session: activeSession(1),
        expectedRevision: opened.session?.revision ?? null,
        messageId: 'm1',
        ttlMs: DAY_MS,
      });
      committed();
      await sleep(50);
      events.push('first ends');
    });
    await afterCommit;
    await message(two, 'm2', () => {
      events.push('second opens');
      return () => undefined;
    });
    await first;
    expect(events).toEqual(['first ends', 'second opens']);
  });
}

describe('message path contract: memory store and queue', () => messagePathContract(memoryHarness));

describe('message path contract: Redis store and queue', () => {
  const redisEnv = redisTest();
  messagePathContract(() => redisHarness(redisEnv()));
});

describe('message path in Redis', () => {
  const env = useRedisScope(redisTest());
  const processOn = (redis: Redis, leaseMs?: number): Process => ({
    store: new RedisSessionStore({ redis, prefix: env.prefix, secret: SECRET }),
    queue: new RedisParticipantQueue({ redis, prefix: env.prefix, secret: SECRET, leaseMs }),
  });

  it('costs a message from someone with nothing else under way two round trips', async () => {
    const redis = env.client();
    const process = processOn(redis);
    // The first use of each script may be sent twice (EVALSHA, then EVAL when Redis lacks it).
    await message(process, 'm1');
    const sent = vi.spyOn(redis, 'sendCommand');
    expect(await message(process, 'm2')).toBe('saved');
    expect(sent.mock.calls.map(([command]) => command.name)).toEqual(['evalsha', 'evalsha']);
  });

  it('does not let a holder that took its turn in open and died block the next for longer than its lease', async () => {
    const doomedClient = env.client();
    const doomed = processOn(doomedClient, 300);
    let holding!: () => void;
    let finishDoomedWork!: () => void;
    const holds = new Promise<void>((resolve) => (holding = resolve));
    const doomedRun = doomed.queue.runOpening(PHONE, async (turn) => {
      await doomed.store.open(PHONE, 'm1', turn);
      holding();
      await new Promise<void>((resolve) => (finishDoomedWork = resolve));
    });
    await holds;
    doomedClient.disconnect(); // the process is gone: no renewal, no commit, no release
    const survivor = processOn(env.client());
    const started = performance.now();
    expect(await message(survivor, 'm2')).toBe('saved');
    expect(performance.now() - started).toBeLessThan(3_000);
    finishDoomedWork();
    await doomedRun;
  });
});
