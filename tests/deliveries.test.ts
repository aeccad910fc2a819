import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import type { Delivery } from '../src/partners/delivery.js';
import type { DeliveryHandler } from '../src/partners/delivery-queue.js';
import { createDeliveryHandler, type RetrySchedule } from '../src/partners/delivery-worker.js';
import { createFileSink } from '../src/partners/file-sink.js';
import { HeldDeliveries } from '../src/partners/held-deliveries.js';
import { createWebhookSender } from '../src/partners/http-partner-client.js';
import { MemoryDeliveryQueue } from '../src/partners/memory-delivery-queue.js';
import { MemoryPartnerState } from '../src/partners/memory-partner-state.js';
import { createPartnerClient } from '../src/partners/partner-client.js';
import type { HeldDelivery } from '../src/partners/partner-state.js';
import { webhookIdFor } from '../src/partners/payload.js';
import { RETRY_SCHEDULE_MS } from '../src/partners/retry-schedule.js';
import { FakeTimers, settle } from './helpers/fake-timers.js';
import {
  startPartnerServer,
  type PartnerReply,
  type PartnerServer,
} from './helpers/partner-server.js';

const START = Date.UTC(2026, 10, 20, 10);
const KEY = Buffer.alloc(32, 7);
const SECRET = `whsec_${KEY.toString('base64')}`;
/** A real attempt timeout, kept short: a hanging partner costs the test this much wall time. */
const ATTEMPT_TIMEOUT_MS = 300;

function delivery(recordId: string, partnerId = 'council'): Delivery {
  const type = 'response.completed';
  return {
    id: webhookIdFor(type, recordId, partnerId),
    type,
    flowId: 'day-centre-weekends',
    partnerId,
    recordId,
    body: JSON.stringify({ type, timestamp: '2026-11-20T09:59:00.000Z', data: { id: recordId } }),
  };
}

/** The memory queue on a fake clock, the real handler and HTTP client, a real partner server. */
function rig(partner: PartnerServer, options: { schedule?: RetrySchedule } = {}) {
  const timers = new FakeTimers(START);
  const clock = (): Date => new Date(timers.now());
  const logger = createLogger('silent');
  const state = new MemoryPartnerState();
  const held: HeldDelivery[] = [];
  const handler = createDeliveryHandler({
    client: createPartnerClient({
      webhook: createWebhookSender({
        httpHosts: ['127.0.0.1'],
        logger,
        clock,
        timeoutMs: ATTEMPT_TIMEOUT_MS,
      }),
      file: createFileSink({ directory: 'unused', logger }),
      logger,
    }),
    // `nowhere` stands for a partner whose secret is not set here.
    targets: (_flow, partnerId) =>
      partnerId === 'nowhere' ? undefined : { kind: 'webhook', url: partner.url, secret: SECRET },
    state,
    clock,
    logger,
    // No jitter: every wait is exactly the schedule's.
    random: () => 0.5,
    onHeld: (h) => held.push(h),
    ...(options.schedule === undefined ? {} : { schedule: options.schedule }),
  });
  // Attempts do real network I/O: track them so the test can wait for them, not for time.
  const inFlight = new Set<Promise<unknown>>();
  const tracked: DeliveryHandler = (attempt) => {
    const running = handler(attempt);
    inFlight.add(running);
    void running.finally(() => inFlight.delete(running)).catch(() => undefined);
    return running;
  };
  const queue = new MemoryDeliveryQueue({ timers });
  queue.start(tracked);
  const idle = async (): Promise<void> => {
    await settle();
    while (inFlight.size > 0) {
      await Promise.allSettled([...inFlight]);
      await settle();
    }
  };
  return {
    timers,
    state,
    held,
    queue,
    desk: new HeldDeliveries(state, queue),
    idle,
    /** Moves the fake clock on and waits for the attempts that fell due. */
    advance: async (ms: number): Promise<void> => {
      await timers.advance(ms);
      await idle();
    },
  };
}

function verifies(request: {
  webhookId: string;
  timestamp: string;
  signature: string;
  body: string;
}): boolean {
  const expected = createHmac('sha256', KEY)
    .update(`${request.webhookId}.${request.timestamp}.${request.body}`)
    .digest('base64');
  return request.signature.split(' ').includes(`v1,${expected}`);
}

describe('partner deliveries on the in-process queue', () => {
  let partner: PartnerServer;

  beforeEach(async () => {
    partner = await startPartnerServer();
  });
  afterEach(async () => {
    await partner.close();
  });

  const FAULTS: [string, PartnerReply][] = [
    ['a 500', { status: 500 }],
    ['a 503', { status: 503 }],
    [
      'a redirect (a failure, never followed)',
      { status: 302, headers: { location: '/elsewhere' } },
    ],
    ['a connection reset', 'reset'],
    ['a timeout', 'hang'],
  ];

  it.each(FAULTS)('retries after %s on the schedule and then delivers', async (_name, fault) => {
    const r = rig(partner);
    partner.script(fault);
    const d = delivery('rsp_1');
    await r.queue.enqueue([d]);
    await r.idle();
    expect(partner.received).toHaveLength(1);

    await r.advance(4_999);
    expect(partner.received).toHaveLength(1);
    await r.advance(1);
    expect(partner.received).toHaveLength(2);
    expect(partner.received.map((q) => q.webhookId)).toEqual([d.id, d.id]);
    expect(partner.received.map((q) => q.body)).toEqual([d.body, d.body]);
    expect(partner.received.every(verifies)).toBe(true);

    await r.advance(7 * 24 * 3600_000);
    expect(partner.received).toHaveLength(2);
    expect(r.held).toEqual([]);
    expect((await r.state.counts())[0]?.counts).toEqual({
      delivered: 1,
      retried: 1,
      dead_lettered: 0,
      parked: 0,
    });
  });

  it('waits as long as a 429 Retry-After asks, not the shorter scheduled wait', async () => {
    const r = rig(partner);
    partner.script({ status: 429, headers: { 'retry-after': '120' } });
    await r.queue.enqueue([delivery('rsp_1')]);
    await r.idle();
    await r.advance(5_000);
    expect(partner.received).toHaveLength(1);
    await r.advance(114_999);
    expect(partner.received).toHaveLength(1);
    await r.advance(1);
    expect(partner.received).toHaveLength(2);
  });

  it('dead-letters after the whole schedule, with its reason, attempts and times', async () => {
    const r = rig(partner);
    partner.fallback = { status: 500 };
    const d = delivery('rsp_1');
    await r.queue.enqueue([d]);
    await r.idle();
    for (const [i, wait] of RETRY_SCHEDULE_MS.slice(1).entries()) {
      await r.advance(wait - 1);
      expect(partner.received).toHaveLength(i + 1);
      await r.advance(1);
      expect(partner.received).toHaveLength(i + 2);
    }
    const span = RETRY_SCHEDULE_MS.reduce((sum, wait) => sum + wait, 0);
    expect(span).toBeGreaterThanOrEqual(3 * 24 * 3600_000);
    expect(await r.desk.overview()).toEqual({
      held: [
        {
          id: d.id,
          type: 'response.completed',
          flowId: 'day-centre-weekends',
          partnerId: 'council',
          recordId: 'rsp_1',
          kind: 'dead_lettered',
          reason: 'http_500',
          attempts: RETRY_SCHEDULE_MS.length,
          queuedAt: new Date(START).toISOString(),
          lastAttemptAt: new Date(START + span).toISOString(),
          heldAt: new Date(START + span).toISOString(),
        },
      ],
      disabledPartners: [],
    });
    await r.advance(7 * 24 * 3600_000);
    expect(partner.received).toHaveLength(RETRY_SCHEDULE_MS.length);
  });

  it('replays a dead letter with fresh attempts and the same webhook-id and body', async () => {
    const r = rig(partner, { schedule: (made) => (made < 2 ? 1_000 : undefined) });
    partner.fallback = { status: 500 };
    const d = delivery('rsp_1');
    await r.queue.enqueue([d]);
    await r.idle();
    await r.advance(1_000);
    expect(r.held.map((h) => [h.kind, h.attempts])).toEqual([['dead_lettered', 2]]);

    partner.fallback = { status: 200 };
    expect(await r.desk.replay({ all: true })).toEqual({ replayed: [d.id], skipped: [] });
    await r.idle();
    expect(partner.received.map((q) => q.webhookId)).toEqual([d.id, d.id, d.id]);
    expect(partner.received[2]?.body).toBe(d.body);
    expect(partner.received.every(verifies)).toBe(true);
    expect((await r.desk.overview()).held).toEqual([]);
    expect(await r.desk.replay({ ids: [d.id] })).toEqual({
      replayed: [],
      skipped: [{ id: d.id, reason: 'not_held' }],
    });
  });

  it('disables a partner that answers 410, parks what follows, and sends it all once enabled', async () => {
    const r = rig(partner);
    partner.script({ status: 410 });
    const first = delivery('rsp_1');
    const second = delivery('rsp_2');
    await r.queue.enqueue([first]);
    await r.idle();
    await r.advance(60_000);
    await r.queue.enqueue([second]);
    await r.idle();
    expect(partner.received).toHaveLength(1);

    const overview = await r.desk.overview({ partnerId: 'council' });
    expect(overview.disabledPartners).toEqual([
      {
        flowId: 'day-centre-weekends',
        partnerId: 'council',
        reason: 'http_410',
        since: new Date(START).toISOString(),
      },
    ]);
    expect(overview.held.map((h) => [h.id, h.kind, h.reason, h.attempts])).toEqual([
      [first.id, 'parked', 'http_410', 1],
      [second.id, 'parked', 'partner_disabled', 0],
    ]);
    // Replaying one alone would only park it again.
    expect(await r.desk.replay({ ids: [second.id] })).toEqual({
      replayed: [],
      skipped: [{ id: second.id, reason: 'partner_disabled' }],
    });

    expect(await r.desk.enable('day-centre-weekends', 'council')).toEqual({
      wasDisabled: true,
      replayed: [first.id, second.id],
    });
    await r.idle();
    expect(partner.received.map((q) => q.webhookId)).toEqual([first.id, first.id, second.id]);
    expect(await r.desk.overview()).toEqual({ held: [], disabledPartners: [] });
  });

  it('parks, without sending, deliveries to a partner whose secret is not set here', async () => {
    const r = rig(partner);
    const d = delivery('rsp_1', 'nowhere');
    await r.queue.enqueue([d]);
    await r.idle();
    expect(partner.received).toEqual([]);
    expect(r.held.map((h) => [h.delivery.id, h.kind, h.reason])).toEqual([
      [d.id, 'parked', 'partner_not_configured'],
    ]);
  });

  it('sends a delivery queued twice (a relay that stopped before acknowledging) once', async () => {
    const r = rig(partner);
    const d = delivery('rsp_1');
    await r.queue.enqueue([d, d]);
    await r.queue.enqueue([d]);
    await r.idle();
    await r.queue.enqueue([d]);
    await r.advance(3600_000);
    expect(partner.received).toHaveLength(1);
  });

  it('closes once the attempts in flight are over, or after its bounded wait', async () => {
    const timers = new FakeTimers(START);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const finished: string[] = [];
    const queue = new MemoryDeliveryQueue({ timers, closeWaitMs: 60_000 });
    queue.start(async ({ delivery: d }) => {
      await gate;
      finished.push(d.id);
      return { next: 'finished' };
    });
    const d = delivery('rsp_1');
    await queue.enqueue([d]);
    await settle();
    let closed = false;
    const closing = queue.close().then(() => (closed = true));
    await settle();
    expect(closed).toBe(false);
    release();
    await closing;
    expect(finished).toEqual([d.id]);

    const stuck = new MemoryDeliveryQueue({ timers, closeWaitMs: 10 });
    stuck.start(() => new Promise(() => undefined));
    await stuck.enqueue([d]);
    await settle();
    await stuck.close();
    await expect(stuck.enqueue([d])).rejects.toMatchObject({ code: 'delivery_queue_closed' });
  });

  it('tries an attempt again, as the same attempt, when its outcome could not be recorded', async () => {
    const timers = new FakeTimers(START);
    const seen: number[] = [];
    let failNext = true;
    const queue = new MemoryDeliveryQueue({ timers });
    queue.start(async ({ attempt }) => {
      seen.push(attempt);
      if (failNext) {
        failNext = false;
        throw new Error('store unavailable');
      }
      return attempt < 2 ? { next: 'retry', delayMs: 10 } : { next: 'finished' };
    });
    await queue.enqueue([delivery('rsp_1')]);
    await settle();
    await timers.advance(30_000);
    await timers.advance(10);
    expect(seen).toEqual([1, 1, 2]);
    expect(queue.size).toBe(0);
    await queue.close();
  });
});
