import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createApp } from '../src/http/app.js';
import { createLogger } from '../src/logger.js';
import { webhookIdFor } from '../src/partners/payload.js';
import { createRuntime, type Runtime } from '../src/runtime.js';
import {
  completeConversation,
  FLOW_ID,
  PARTNER_ID,
  SECRET,
  SECRET_ENV,
  writePartnerFlow,
} from './helpers/partner-flow.js';
import { startPartnerServer, type PartnerServer } from './helpers/partner-server.js';
import {
  freePort,
  freshPrefix,
  REDIS_MISSING,
  startRedisServer,
  type RedisServer,
} from './helpers/redis-server.js';

const CONVERSATIONS = 200;
const AT_ONCE = 10;
/** The conversation after which Redis is stopped and started again. */
const RESTART_AFTER = CONVERSATIONS / 2;
/**
 * Waits of 100 ms doubling to at most 2 s, 500 attempts: the production schedule's shape,
 * compressed so that no delivery runs out of attempts during the test's outage.
 */
const FAULT_SCHEDULE = (made: number): number | undefined =>
  made < 500 ? Math.min(100 * 2 ** made, 2_000) : undefined;

describe('partner down while 200 conversations complete, and Redis restarted once', () => {
  let dir: string;
  let redis: RedisServer | undefined;
  let runtime: Runtime;
  let server: Server;
  let base: string;
  let partner: PartnerServer | undefined;
  let partnerPort: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carevoice-partner-fault-'));
    mkdirSync(join(dir, 'redis'));
    redis = await startRedisServer({ persistIn: join(dir, 'redis') });
    if (redis === undefined) {
      if (process.env['CI'] === 'true') throw new Error(REDIS_MISSING);
      return;
    }
    // The partner's address is fixed now; nothing listens there until the partner recovers.
    partnerPort = await freePort();
    const config = loadConfig({
      NODE_ENV: 'test',
      REDIS_URL: redis.url,
      REDIS_PREFIX: freshPrefix(),
      PSEUDONYM_KEY: 'partner-fault-test-pseudonym-key-00000001',
      FLOWS_DIR: writePartnerFlow(dir, `http://127.0.0.1:${partnerPort}/hooks/carevoice`),
      LOCALES_DIR: 'locales',
      PARTNER_HTTP_HOSTS: '127.0.0.1',
    });
    runtime = await createRuntime(config, {
      logger: createLogger('silent'),
      env: { [SECRET_ENV]: SECRET },
      deliverySchedule: FAULT_SCHEDULE,
    });
    server = createServer(createApp(runtime));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await runtime?.close();
    await partner?.close();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every response once the partner is back, each under its own webhook-id', async (context) => {
    if (redis === undefined) context.skip(REDIS_MISSING);
    const url = redis?.url ?? '';
    const port = Number(new URL(url).port);

    let next = 0;
    let completed = 0;
    let restarted: Promise<void> | undefined;
    const restartRedis = async (): Promise<void> => {
      await redis?.stop();
      redis = await startRedisServer({ port, persistIn: join(dir, 'redis') });
    };
    const worker = async (): Promise<void> => {
      while (next < CONVERSATIONS) {
        const n = next++;
        await completeConversation(base, n);
        completed += 1;
        if (completed === RESTART_AFTER) restarted = restartRedis();
      }
    };
    await Promise.all(Array.from({ length: AT_ONCE }, worker));
    await restarted;
    expect(completed).toBe(CONVERSATIONS);

    const stored = new Set<string>();
    for await (const record of runtime.responses.list(FLOW_ID)) stored.add(record.id);
    expect(stored.size).toBe(CONVERSATIONS);

    const recoveredAt = Date.now();
    partner = await startPartnerServer({ port: partnerPort });
    await partner.waitUntil(
      (received) => new Set(received.map((r) => r.recordId)).size >= stored.size,
    );
    const drainMs = Date.now() - recoveredAt;

    const received = partner.received;
    const idsByRecord = new Map<string, Set<string>>();
    for (const request of received) {
      const ids = idsByRecord.get(request.recordId) ?? new Set();
      ids.add(request.webhookId);
      idsByRecord.set(request.recordId, ids);
    }
    // No response missing, none invented.
    expect(new Set(idsByRecord.keys())).toEqual(stored);
    // One webhook-id per response (a repeat may only re-send the same one), distinct across responses.
    for (const [recordId, ids] of idsByRecord) {
      expect([...ids]).toEqual([webhookIdFor('response.completed', recordId, PARTNER_ID)]);
    }
    expect(new Set(received.map((r) => r.webhookId)).size).toBe(CONVERSATIONS);
    const key = Buffer.from(SECRET.slice('whsec_'.length), 'base64');
    for (const r of received) {
      const expected = createHmac('sha256', key)
        .update(`${r.webhookId}.${r.timestamp}.${r.body}`)
        .digest('base64');
      expect(r.signature).toBe(`v1,${expected}`);
    }
    expect(await runtime.deliveries.held.overview()).toEqual({ held: [], disabledPartners: [] });

    console.info(
      `partner fault: ${CONVERSATIONS} responses, Redis restarted once; ${received.length} requests ` +
        `(${received.length - CONVERSATIONS} repeats) drained ${drainMs} ms after the partner came back`,
    );
  }, 240_000);
});
