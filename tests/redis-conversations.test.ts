import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSession, step } from '../src/engine/step.js';
import type { Answer, Session } from '../src/engine/types.js';
import { RedisSessionStore } from '../src/store/redis-session-store.js';
import { shippedContent } from './helpers/content.js';
import { post } from './helpers/http.js';
import { redisTest } from './helpers/redis-server.js';
import { startServerProcess, type ServerProcess } from './helpers/server-process.js';

const PSEUDONYM_KEY = 'test-pseudonym-key-for-redis-conversations-0001';
const { flows, translate } = shippedContent();

const scripts: { lang: string; inputs: string[] }[] = [
  {
    lang: 'en',
    inputs: [
      '1',
      'The staff are kind.',
      'The lunches are good too.',
      'no',
      '3',
      'yes',
      '1 and 3',
      '4',
    ],
  },
  { lang: 'cy', inputs: ['2', "Mae'r staff yn garedig iawn.", 'na', 'tri', 'ie', '1 a 2', '5'] },
  { lang: 'pl', inputs: ['3', 'Czasem tam pomagam.', 'to wszystko', '1', 'nie', '3'] },
];

/** A small seeded generator, so a failing interleaving can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What a single process, one message at a time, would have recorded. */
function sequentialAnswers(lang: string, inputs: string[]): Record<string, unknown> {
  const flow = flows.get('day-centre-weekends');
  if (flow === undefined) throw new Error('demo flow missing');
  const ctx = { now: new Date(), translate };
  let result = startSession(flow, { language: lang }, ctx);
  for (const text of inputs) result = step(flow, result.session, { type: 'text', text }, ctx);
  expect(result.session.status).toBe('completed');
  return values(result.session.answers);
}

function values(answers: Readonly<Record<string, Answer>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(answers).map(([name, a]) => [
      name,
      a.status === 'answered' ? a.value : a.status,
    ]),
  );
}

describe('conversations in Redis across processes', () => {
  const redisEnv = redisTest();
  let servers: ServerProcess[] = [];
  let redis: Redis;
  let store: RedisSessionStore;
  let env: Record<string, string>;

  beforeAll(async () => {
    const { url, prefix } = redisEnv();
    env = { REDIS_URL: url, REDIS_PREFIX: prefix, PSEUDONYM_KEY };
    servers = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    redis = new Redis(url);
    store = new RedisSessionStore({ redis, prefix, secret: PSEUDONYM_KEY });
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    redis?.disconnect();
  });

  it('gives every participant the answers of a sequential run, whatever the interleaving and duplicates', async () => {
    const next = random(20261126);
    const pick = (): ServerProcess => servers[Math.floor(next() * servers.length)] as ServerProcess;
    const participants = Array.from({ length: 24 }, (_, i) => ({
      script: scripts[i % scripts.length] as (typeof scripts)[number],
      id: '',
    }));
    let requests = 0;
    let duplicatesSeen = 0;

    await Promise.all(
      participants.map(async (participant) => {
        const started = await post(pick().url, '/chat/api/conversations', {
          flowId: 'day-centre-weekends',
          language: participant.script.lang,
        });
        expect(started.status).toBe(201);
        participant.id = String(started.json['conversationId']);
        for (const text of participant.script.inputs) {
          const messageId = randomUUID();
          // The message and up to three redeliveries of it, to either process, all at once.
          const copies = 1 + Math.floor(next() * 4);
          const answers = await Promise.all(
            Array.from({ length: copies }, async (_, copy) => {
              await new Promise((resolve) => setTimeout(resolve, Math.floor(next() * 5) * copy));
              return post(pick().url, `/chat/api/conversations/${participant.id}/messages`, {
                text,
                messageId,
              });
            }),
          );
          requests += copies;
          expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
          const handled = answers.filter((a) => a.json['duplicate'] === false);
          expect(handled).toHaveLength(1);
          duplicatesSeen += copies - 1;
        }
      }),
    );

    for (const participant of participants) {
      const key = { channel: 'web' as const, address: participant.id };
      const [done] = await store.history(key);
      expect(done?.status).toBe('completed');
      expect(values((done as Session).answers)).toEqual(
        sequentialAnswers(participant.script.lang, participant.script.inputs),
      );
    }
    expect(requests).toBeGreaterThan(participants.length * 6);
    expect(duplicatesSeen).toBeGreaterThan(0);
  });

  it('resumes at the right step after the process is killed mid-conversation', async () => {
    const first = await startServerProcess(env);
    const started = await post(first.url, '/chat/api/conversations', {
      flowId: 'day-centre-weekends',
    });
    const id = String(started.json['conversationId']);
    for (const text of ['2', 'It gives me a break.', 'no']) {
      expect(
        (await post(first.url, `/chat/api/conversations/${id}/messages`, { text })).status,
      ).toBe(200);
    }
    await first.stop('SIGKILL');

    const second = await startServerProcess(env);
    try {
      const reply = await post(second.url, `/chat/api/conversations/${id}/messages`, { text: '4' });
      expect(reply.json['status']).toBe('active');
      const [question] = reply.json['replies'] as { stepId?: string }[];
      expect(question?.stepId).toBe('weekends');
      for (const text of ['yes', 'afternoon', '5'])
        await post(second.url, `/chat/api/conversations/${id}/messages`, { text });
      const [done] = await store.history({ channel: 'web', address: id });
      expect(values((done as Session).answers)).toEqual(
        sequentialAnswers('en', ['2', 'It gives me a break.', 'no', '4', 'yes', 'afternoon', '5']),
      );
    } finally {
      await second.stop();
    }
  });
});
