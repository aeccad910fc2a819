import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { DEDUPE_WINDOW_MS } from '../../src/store/session-store.js';
import { bytesByKind, kindDelta, usedMemory, type KindBytes } from './redis-memory.js';
import { WEBHOOK_PATH, type ConversationTraffic } from './traffic.js';

export interface MemoryFigures {
  readonly sessions: number;
  /** The session's own keys per participant after the first message: session, dedupe, opt-out, history. */
  readonly perSessionState: number;
  /**
   * used_memory growth per participant after their first message: every key the path left
   * (timer jobs and rate windows too), less the growth of BullMQ's capped event stream.
   */
  readonly perSession: number;
  /** The same session JSON kept as one plain key with an expiry: the floor. */
  readonly perSessionFloor: number;
  /** used_memory growth per further message (every key the path touched). */
  readonly perMessage: number;
  /** What the remembered message ids take in the session hashes, per id (see `messageIdCost`). */
  readonly perMessageId: number;
  /** One `SET <MessageSid> 1 PX <window> NX` key per message id: the floor. */
  readonly perMessageIdFloor: number;
  /** Bytes per participant by key kind after the first and the second message. */
  readonly byKind: {
    readonly first: Record<string, number>;
    readonly second: Record<string, number>;
  };
}

/**
 * Drives `numbers` participants through the real server and Redis: everyone's first message
 * (the keyword: a new session), then everyone's second (an answer: one more message id).
 * Redis must hold nothing else that changes meanwhile.
 */
export async function measureMemory(
  redis: Redis,
  serverUrl: string,
  traffic: ConversationTraffic,
  numbers: number,
): Promise<MemoryFigures> {
  const before = await snapshot(redis);
  await sendInOrder(serverUrl, traffic, numbers);
  const first = await snapshot(redis);
  await sendInOrder(serverUrl, traffic, numbers);
  const second = await snapshot(redis);
  const firstKinds = kindDelta(before.kinds, first.kinds);
  const secondKinds = kindDelta(first.kinds, second.kinds);
  const bytes = (kinds: Record<string, KindBytes>, names: readonly string[]): number =>
    names.reduce((sum, name) => sum + (kinds[name]?.bytes ?? 0), 0);
  return {
    sessions: numbers,
    perSessionState: bytes(firstKinds, SESSION_STATE) / numbers,
    perSession: (first.used - before.used - bytes(firstKinds, ['job events'])) / numbers,
    perSessionFloor: await sessionFloor(redis),
    perMessage: (second.used - first.used) / numbers,
    perMessageId: await messageIdCost(redis),
    perMessageIdFloor: await messageIdFloor(redis, numbers),
    byKind: {
      first: perParticipant(firstKinds, numbers),
      second: perParticipant(secondKinds, numbers),
    },
  };
}

/** The key kinds that hold a participant's conversation itself (see src/store/redis-keys.ts). */
const SESSION_STATE = ['session', 'seen', 'optout', 'history'];

async function snapshot(redis: Redis): Promise<{ used: number; kinds: Record<string, KindBytes> }> {
  return { used: await usedMemory(redis), kinds: await bytesByKind(redis) };
}

function perParticipant(kinds: Record<string, KindBytes>, numbers: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(kinds)
      .filter(([, kind]) => kind.bytes !== 0)
      .map(([name, kind]) => [name, Math.round(kind.bytes / numbers)]),
  );
}

/** The next `count` webhooks of the traffic, 20 at a time (never two of one person at once). */
async function sendInOrder(
  url: string,
  traffic: ConversationTraffic,
  count: number,
): Promise<void> {
  const feed = traffic.take(count);
  let failures = 0;
  const worker = async (): Promise<void> => {
    while (feed.used < count) {
      const { body, signature } = feed.take();
      const response = await fetch(`${url}${WEBHOOK_PATH}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': signature,
        },
        body,
      });
      await response.arrayBuffer();
      if (!response.ok) failures++;
    }
  };
  await Promise.all(Array.from({ length: 20 }, worker));
  feed.finish();
  if (failures > 0) throw new Error(`${failures} webhooks were refused while filling Redis`);
}

/** Copies every stored session JSON to a plain key with an expiry, measures, removes them. */
async function sessionFloor(redis: Redis): Promise<number> {
  const sessions: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', '*:session', 'COUNT', 1000);
    cursor = next;
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.hget(key, 'json');
    for (const [, json] of (await pipeline.exec()) ?? []) {
      if (typeof json === 'string') sessions.push(json);
    }
  } while (cursor !== '0');
  return plainKeysCost(redis, sessions.length, (i) => [`floor:s:${i}`, sessions[i] ?? '']);
}

/**
 * Message ids live in one field (`ids`) of each session hash. For a sample of sessions, a
 * copy of the hash is measured with and without that field: the difference, over the ids it
 * held, is what remembering an id costs (its share of the field's own overhead included).
 */
async function messageIdCost(redis: Redis): Promise<number> {
  const [, keys] = await redis.scan('0', 'MATCH', '*:session', 'COUNT', 2000);
  let bytes = 0;
  let ids = 0;
  for (const [i, key] of keys.slice(0, 500).entries()) {
    const dump = await redis.dumpBuffer(key);
    const held = await redis.hget(key, 'ids');
    if (dump === null || held === null) continue;
    const copy = `floor:ids:${i}`;
    await redis.restore(copy, 60_000, dump, 'REPLACE');
    const whole = (await redis.memory('USAGE', copy, 'SAMPLES', 0)) ?? 0;
    await redis.hdel(copy, 'ids');
    const without = (await redis.memory('USAGE', copy, 'SAMPLES', 0)) ?? 0;
    await redis.del(copy);
    bytes += whole - without;
    ids += held.length / MESSAGE_ID_ENTRY_LENGTH;
  }
  return ids === 0 ? 0 : bytes / ids;
}

/** An entry of the `ids` field: 16 hex of the id's hash, then its expiry in 13 digits of ms. */
const MESSAGE_ID_ENTRY_LENGTH = 29;

async function messageIdFloor(redis: Redis, count: number): Promise<number> {
  const run = randomBytes(4).toString('hex');
  return plainKeysCost(redis, count, (i) => [
    `floor:m:SM${run}${i.toString(16).padStart(24, '0')}`,
    '1',
  ]);
}

async function plainKeysCost(
  redis: Redis,
  count: number,
  entry: (i: number) => [string, string],
): Promise<number> {
  const before = await usedMemory(redis);
  const keys: string[] = [];
  for (let start = 0; start < count; start += 1000) {
    const pipeline = redis.pipeline();
    for (let i = start; i < Math.min(count, start + 1000); i++) {
      const [key, value] = entry(i);
      keys.push(key);
      pipeline.set(key, value, 'PX', DEDUPE_WINDOW_MS, 'NX');
    }
    await pipeline.exec();
  }
  const after = await usedMemory(redis);
  for (let start = 0; start < keys.length; start += 1000) {
    await redis.del(...keys.slice(start, start + 1000));
  }
  return (after - before) / count;
}
