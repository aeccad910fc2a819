import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post } from './helpers/http.js';
import { startRedisServer, type RedisServer } from './helpers/redis-server.js';
import { startServerProcess, type ServerProcess } from './helpers/server-process.js';

const REDIS_MISSING = 'redis-server is not installed';

async function readiness(base: string): Promise<number> {
  return (await fetch(`${base}/readyz`)).status;
}

/** Polls (bounded) until the check passes: reconnection takes the client a moment. */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('a Redis outage', () => {
  let dir: string;
  let redis: RedisServer | undefined;
  let server: ServerProcess;
  let port: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carevoice-outage-'));
    redis = await startRedisServer({ persistIn: dir });
    if (redis === undefined) {
      if (process.env['CI'] === 'true') throw new Error(REDIS_MISSING);
      return;
    }
    port = Number(new URL(redis.url).port);
    server = await startServerProcess({
      REDIS_URL: redis.url,
      PSEUDONYM_KEY: 'outage-test-pseudonym-key-000000000001',
    });
  });
  afterAll(async () => {
    await server?.stop();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('turns readiness off, refuses messages with a retryable 503, and loses nothing', async (context) => {
    if (redis === undefined) context.skip(REDIS_MISSING);
    const started = await post(server.url, '/chat/api/conversations', {
      flowId: 'day-centre-weekends',
    });
    const id = String(started.json['conversationId']);
    expect(
      (
        await post(server.url, `/chat/api/conversations/${id}/messages`, {
          text: '2',
          messageId: '11111111-1111-4111-8111-111111111111',
        })
      ).status,
    ).toBe(200);
    expect(await readiness(server.url)).toBe(200);

    await redis?.stop();
    await eventually(
      async () => (await readiness(server.url)) === 503,
      'readyz reports the outage',
    );
    const story = {
      text: 'It gives me a rest.',
      messageId: '22222222-2222-4222-8222-222222222222',
    };
    const refused = await post(server.url, `/chat/api/conversations/${id}/messages`, story);
    expect(refused.status).toBe(503);
    expect((refused.json['error'] as { code: string }).code).toBe('store_unavailable');

    redis = await startRedisServer({ port, persistIn: dir });
    await eventually(
      async () => (await readiness(server.url)) === 200,
      'the server reconnects by itself',
    );
    // The provider redelivers the refused message; it is taken once, where the person left off.
    const retried = await post(server.url, `/chat/api/conversations/${id}/messages`, story);
    expect(retried.status).toBe(200);
    expect(retried.json['duplicate']).toBe(false);
    expect(retried.json['replies']).toEqual([
      expect.objectContaining({ type: 'message', text: expect.stringContaining('anything else') }),
    ]);
    const again = await post(server.url, `/chat/api/conversations/${id}/messages`, story);
    expect(again.json['duplicate']).toBe(true);
    const next = await post(server.url, `/chat/api/conversations/${id}/messages`, { text: 'no' });
    expect((next.json['replies'] as { stepId?: string }[])[0]?.stepId).toBe('visits');
  });
});
