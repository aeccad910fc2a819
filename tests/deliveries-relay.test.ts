import { describe, expect, it } from 'vitest';
import type { Flow } from '../src/flow/flow.js';
import { createLogger } from '../src/logger.js';
import type { Delivery } from '../src/partners/delivery.js';
import { DeliveryRelay } from '../src/partners/relay.js';
import { webhookIdFor } from '../src/partners/payload.js';
import type { ResponseRecord } from '../src/responses/record.js';
import { MemoryResponseStore } from '../src/responses/memory-response-store.js';
import { RELAY_RECLAIM_MS } from '../src/responses/response-store.js';
import { shippedContent } from './helpers/content.js';

const shipped = shippedContent().flows.get('day-centre-weekends');
if (shipped === undefined) throw new Error('the shipped flow day-centre-weekends is missing');
/** The shipped flow (council, carers_centre) plus a partner that also takes partial responses. */
const flow: Flow = {
  ...shipped,
  partners: [
    ...shipped.partners,
    { id: 'research', file: 'research/responses.jsonl', fields: ['rating'], send_partial: true },
  ],
};

function record(id: string, overrides: Partial<ResponseRecord> = {}): ResponseRecord {
  return {
    id,
    flowId: flow.id,
    flowVersion: flow.version,
    respondent: 'p_5e1f',
    channel: 'web',
    language: 'en',
    variant: 'standard',
    role: 'carer',
    status: 'completed',
    answers: { rating: { status: 'answered', value: 4, at: '2026-11-20T09:59:00.000Z' } },
    consent: null,
    startedAt: '2026-11-20T09:50:00.000Z',
    endedAt: '2026-11-20T10:00:00.000Z',
    ...overrides,
  };
}

function rig(options: { failEnqueues?: number } = {}) {
  let now = Date.UTC(2026, 10, 20, 10);
  const outbox = new MemoryResponseStore(() => new Date(now));
  /** What the outbox would hand out again once the reclaim time has passed: the unacknowledged. */
  const unacknowledged = async (): Promise<string[]> => {
    now += RELAY_RECLAIM_MS;
    return (await outbox.take('other', 10, 0)).map((entry) => entry.record.id);
  };
  const queued: Delivery[] = [];
  let failures = options.failEnqueues ?? 0;
  let enqueued: () => void = () => undefined;
  const relay = new DeliveryRelay({
    outbox,
    flows: { get: (id, version) => (id === flow.id && version !== 'gone' ? flow : undefined) },
    queue: {
      enqueue: async (deliveries) => {
        if (failures > 0) {
          failures -= 1;
          throw new Error('queue unavailable');
        }
        queued.push(...deliveries);
        enqueued();
      },
    },
    consumer: 'test',
    logger: createLogger('silent'),
    waitMs: 0,
    pauseMs: 1,
  });
  const nextEnqueue = (): Promise<void> => new Promise((resolve) => (enqueued = resolve));
  return { outbox, queued, relay, nextEnqueue, unacknowledged };
}

const pairs = (deliveries: Delivery[]): [string, string][] =>
  deliveries.map((d) => [d.recordId, d.partnerId]);

describe('the relay from the outbox to partner deliveries', () => {
  it('makes one delivery per partner, partial responses only for send_partial, and acknowledges', async () => {
    const r = rig();
    r.outbox.append(record('rsp_1'));
    r.outbox.append(record('rsp_2', { status: 'partial' }));
    expect(await r.relay.relayOnce()).toBe(2);
    expect(pairs(r.queued)).toEqual([
      ['rsp_1', 'council'],
      ['rsp_1', 'carers_centre'],
      ['rsp_1', 'research'],
      ['rsp_2', 'research'],
    ]);
    expect(r.queued[0]?.id).toBe(webhookIdFor('response.completed', 'rsp_1', 'council'));
    expect(r.queued[3]?.type).toBe('response.partial');
    expect(await r.unacknowledged()).toEqual([]);
  });

  it('sends a response of a version no longer loaded to the live version’s partners', async () => {
    const r = rig();
    r.outbox.append(record('rsp_1', { flowVersion: 'edited-since' }));
    await r.relay.relayOnce();
    expect(pairs(r.queued).map(([, partner]) => partner)).toEqual([
      'council',
      'carers_centre',
      'research',
    ]);
  });

  it('leaves a response of a flow not known here unacknowledged, and relays the rest', async () => {
    const r = rig();
    r.outbox.append(record('rsp_1', { flowId: 'published-elsewhere' }));
    r.outbox.append(record('rsp_2'));
    await r.relay.relayOnce();
    expect(new Set(r.queued.map((d) => d.recordId))).toEqual(new Set(['rsp_2']));
    expect(await r.unacknowledged()).toEqual(['rsp_1']);
  });

  it('keeps a batch it could not queue and queues it when the queue is back, acknowledging once', async () => {
    const r = rig({ failEnqueues: 3 });
    r.outbox.append(record('rsp_1'));
    const enqueued = r.nextEnqueue();
    r.relay.start();
    await enqueued;
    await r.relay.close();
    expect(pairs(r.queued)).toEqual([
      ['rsp_1', 'council'],
      ['rsp_1', 'carers_centre'],
      ['rsp_1', 'research'],
    ]);
    expect(await r.unacknowledged()).toEqual([]);
  });
});
