import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { BullDeliveryQueue, DELIVERY_QUEUE_NAME } from '../src/partners/bullmq-delivery-queue.js';
import type { Delivery } from '../src/partners/delivery.js';
import type { AttemptDecision, DeliveryHandler } from '../src/partners/delivery-queue.js';
import { createDeliveryHandler } from '../src/partners/delivery-worker.js';
import { createFileSink } from '../src/partners/file-sink.js';
import { HeldDeliveries } from '../src/partners/held-deliveries.js';
import { createWebhookSender } from '../src/partners/http-partner-client.js';
import { createPartnerClient } from '../src/partners/partner-client.js';
import type { HeldDelivery } from '../src/partners/partner-state.js';
import { RedisPartnerState } from '../src/partners/redis-partner-state.js';
import { webhookIdFor } from '../src/partners/payload.js';
import { startPartnerServer, type PartnerServer } from './helpers/partner-server.js';
import { redisTest } from './helpers/redis-server.js';

const SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
/** Three attempts, 20 ms apart: the production schedule's shape, short enough for a test. */
const SHORT_SCHEDULE = (made: number): number | undefined => (made < 3 ? 20 : undefined);

function delivery(recordId: string): Delivery {
  const type = 'response.completed';
  return {
    id: webhookIdFor(type, recordId, 'council'),
    type,
    flowId: 'day-centre-weekends',
    partnerId: 'council',
    recordId,
    body: JSON.stringify({ type, timestamp: '2026-11-20T09:59:00.000Z', data: { id: recordId } }),
  };
}

/** Resolves when a condition on what has happened so far becomes true; checked on every event. */
class Events<T> {
  readonly seen: T[] = [];
  private waiters: { check: (seen: T[]) => boolean; resolve: () => void }[] = [];

  push(event: T): void {
    this.seen.push(event);
    this.waiters = this.waiters.filter((w) => (w.check(this.seen) ? (w.resolve(), false) : true));
  }

  until(check: (seen: T[]) => boolean): Promise<void> {
    if (check(this.seen)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ check, resolve }));
  }
}

describe('partner deliveries on BullMQ', () => {
  const redisEnv = redisTest();
  let url: string;
  let redis: Redis;
  let partner: PartnerServer;
  const open: BullDeliveryQueue[] = [];
  const errors: Error[] = [];
  const prefixes: string[] = [];

  beforeAll(() => {
    url = redisEnv().url;
    redis = new Redis(url, { maxRetriesPerRequest: 1 });
  });
  beforeEach(async () => {
    partner = await startPartnerServer();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((queue) => queue.close()));
    await partner.close();
    expect(errors).toEqual([]);
  });
  afterAll(async () => {
    if (redis === undefined) return;
    // Only this file's keys: the Redis may be shared, so no FLUSH.
    for (const prefix of prefixes) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
    }
    await redis.quit();
  });

  function rig() {
    const prefix = redisEnv().prefix;
    prefixes.push(prefix);
    const bullPrefix = `${prefix}jobs`;
    const logger = createLogger('silent');
    const state = new RedisPartnerState({ redis, prefix });
    const held = new Events<HeldDelivery>();
    const decisions = new Events<AttemptDecision>();
    const handler = createDeliveryHandler({
      client: createPartnerClient({
        webhook: createWebhookSender({ httpHosts: ['127.0.0.1'], logger }),
        file: createFileSink({ directory: 'unused', logger }),
        logger,
      }),
      targets: () => ({ kind: 'webhook', url: partner.url, secret: SECRET }),
      state,
      clock: () => new Date(),
      logger,
      schedule: SHORT_SCHEDULE,
      onHeld: (h) => held.push(h),
    });
    const observed: DeliveryHandler = async (attempt) => {
      const decision = await handler(attempt);
      decisions.push(decision);
      return decision;
    };
    const makeQueue = (): BullDeliveryQueue => {
      const queue = new BullDeliveryQueue({
        connection: { url },
        prefix: bullPrefix,
        concurrency: 5,
        onError: (error) => errors.push(error),
        troubleRetryMs: 20,
      });
      open.push(queue);
      return queue;
    };
    const queue = makeQueue();
    const desk = new HeldDeliveries(state, queue);
    return { state, held, decisions, queue, observed, makeQueue, desk, bullPrefix };
  }

  it('retries after a 500 and a reset, then delivers under the same webhook-id', async () => {
    const r = rig();
    r.queue.start(r.observed);
    partner.script({ status: 500 }, 'reset');
    const d = delivery('rsp_1');
    await r.queue.enqueue([d]);
    await r.decisions.until((seen) => seen.some((s) => s.next === 'finished'));
    expect(partner.received.map((q) => q.webhookId)).toEqual([d.id, d.id, d.id]);
    expect(new Set(partner.received.map((q) => q.body))).toEqual(new Set([d.body]));
    expect((await r.state.counts())[0]?.counts).toEqual({
      delivered: 1,
      retried: 2,
      dead_lettered: 0,
      parked: 0,
    });
  });

  it('dead-letters after the last attempt and replays it with the same webhook-id', async () => {
    const r = rig();
    r.queue.start(r.observed);
    partner.fallback = { status: 503 };
    const d = delivery('rsp_1');
    await r.queue.enqueue([d]);
    await r.held.until((seen) => seen.length === 1);
    expect(partner.received).toHaveLength(3);
    const [dead] = (await r.desk.overview()).held;
    expect(dead).toMatchObject({
      id: d.id,
      kind: 'dead_lettered',
      reason: 'http_503',
      attempts: 3,
    });

    partner.fallback = { status: 200 };
    expect(await r.desk.replay({ ids: [d.id] })).toEqual({ replayed: [d.id], skipped: [] });
    await partner.waitForRequests(4);
    await r.decisions.until((seen) => seen.filter((s) => s.next === 'finished').length === 2);
    expect(partner.received.map((q) => q.webhookId)).toEqual([d.id, d.id, d.id, d.id]);
    expect(partner.received[3]?.body).toBe(d.body);
    expect((await r.desk.overview()).held).toEqual([]);
  });

  it('disables a partner on 410 across processes, and enabling it sends what was parked', async () => {
    const r = rig();
    r.queue.start(r.observed);
    partner.script({ status: 410 });
    const first = delivery('rsp_1');
    const second = delivery('rsp_2');
    await r.queue.enqueue([first]);
    await r.held.until((seen) => seen.length === 1);
    await r.queue.enqueue([second]);
    await r.held.until((seen) => seen.length === 2);
    expect(partner.received).toHaveLength(1);
    expect(r.held.seen.map((h) => h.reason)).toEqual(['http_410', 'partner_disabled']);
    expect(await r.state.isDisabled('day-centre-weekends', 'council')).toBe(true);

    const enabled = await r.desk.enable('day-centre-weekends', 'council');
    expect(enabled.wasDisabled).toBe(true);
    expect(new Set(enabled.replayed)).toEqual(new Set([first.id, second.id]));
    await partner.waitForRequests(3);
    expect(new Set(partner.received.slice(1).map((q) => q.webhookId))).toEqual(
      new Set([first.id, second.id]),
    );
    expect(await r.desk.overview()).toEqual({ held: [], disabledPartners: [] });
  });

  it('keeps queued deliveries across a restart and queues a delivery id once', async () => {
    const r = rig();
    const d = delivery('rsp_1');
    // Queued while no worker runs (this process stops before attempting it).
    await r.queue.enqueue([d, d]);
    await r.queue.enqueue([d]);
    await r.queue.close();

    const restarted = r.makeQueue();
    restarted.start(r.observed);
    await r.decisions.until((seen) => seen.length === 1);
    await restarted.enqueue([d]);
    const inspector = new Queue(DELIVERY_QUEUE_NAME, { connection: redis, prefix: r.bullPrefix });
    expect(await inspector.getJobCounts('wait', 'delayed', 'active', 'completed')).toEqual({
      wait: 0,
      delayed: 0,
      active: 0,
      completed: 1,
    });
    await inspector.close();
    expect(partner.received.map((q) => q.webhookId)).toEqual([d.id]);
  });

  it('tries an attempt again without using up the schedule when its outcome could not be recorded', async () => {
    const r = rig();
    const attempts: number[] = [];
    let failures = 2;
    r.queue.start(async (attempt) => {
      attempts.push(attempt.attempt);
      if (failures > 0) {
        failures -= 1;
        throw new Error('store unavailable');
      }
      return r.observed(attempt);
    });
    await r.queue.enqueue([delivery('rsp_1')]);
    await r.decisions.until((seen) => seen.length === 1);
    expect(attempts).toEqual([1, 1, 1]);
    expect(partner.received).toHaveLength(1);
  });
});
