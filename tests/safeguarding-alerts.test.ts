import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { createDeliveryHandler } from '../src/partners/delivery-worker.js';
import { createFileSink } from '../src/partners/file-sink.js';
import { createWebhookSender } from '../src/partners/http-partner-client.js';
import { MemoryDeliveryQueue } from '../src/partners/memory-delivery-queue.js';
import { MemoryPartnerState } from '../src/partners/memory-partner-state.js';
import { createPartnerClient } from '../src/partners/partner-client.js';
import { withCoordinators } from '../src/partners/partner-deliveries.js';
import type { HeldDelivery } from '../src/partners/partner-state.js';
import {
  concernAlertText,
  createConcernAlerts,
  type ConcernAlert,
  type ConcernAlertSink,
  type ConcernEvent,
} from '../src/safeguarding/alerts.js';
import { readSafeguardingConfig } from '../src/safeguarding/config.js';
import { coordinatorsTarget, queuedConcernSink } from '../src/safeguarding/webhook-sink.js';
import type { Session } from '../src/engine/types.js';
import { lineSink } from './helpers/slack.js';

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const key = { channel: 'sms' as const, address: '+447700900555' };
const session = { flowId: 'day-centre-weekends', flowVersion: 'abc123' } as Session;
const event: ConcernEvent = {
  type: 'concern_raised',
  stepId: 'story',
  category: 'abuse',
  language: 'en',
  conversation: 'continues',
};
const at = new Date('2026-11-26T10:00:00Z');

interface Received {
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

describe('concern alerts', () => {
  let server: Server;
  let url: string;
  let status = 200;
  const received: Received[] = [];
  /** Called as each request is answered. */
  let arrived: () => void = () => undefined;

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        response.writeHead(status).end(() => arrived());
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`;
  });
  afterAll(async () => new Promise((resolve) => server.close(resolve)));

  function alertsWith(sinks: ConcernAlertSink[], lines: string[] = []) {
    return createConcernAlerts({
      sinks,
      refOf: () => 'ref-0123456789abcdefghij',
      clock: () => at,
      logger: createLogger('debug', lineSink(lines)),
    });
  }

  /**
   * The alert webhook sink on the delivery queue, as the runtime wires it: a short retry
   * schedule (three attempts), and a promise for the first delivery held for coordinators.
   */
  function queued() {
    const silent = createLogger('silent');
    const queue = new MemoryDeliveryQueue();
    const state = new MemoryPartnerState();
    let onHeld: (held: HeldDelivery) => void = () => undefined;
    const held = new Promise<HeldDelivery>((resolve) => (onHeld = resolve));
    queue.start(
      createDeliveryHandler({
        client: createPartnerClient({
          webhook: createWebhookSender({
            httpHosts: ['127.0.0.1'],
            logger: silent,
            clock: () => at,
          }),
          file: createFileSink({ directory: '.', logger: silent }),
          logger: silent,
        }),
        targets: withCoordinators(() => undefined, coordinatorsTarget({ url, secret: SECRET })),
        state,
        clock: () => at,
        logger: silent,
        schedule: (made) => (made < 3 ? 5 : undefined),
        onHeld,
      }),
    );
    const delivered = new Promise<void>((resolve) => (arrived = resolve));
    return { sink: queuedConcernSink(queue), queue, held, delivered };
  }

  it('posts a signed Standard Webhooks alert with the pseudonymous ref and never the message', async () => {
    received.length = 0;
    status = 200;
    const { sink, queue, delivered } = queued();
    const alerts = alertsWith([sink]);
    alerts.raised(key, session, event);
    await alerts.settled();
    await delivered;
    await queue.close();
    expect(received).toHaveLength(1);
    const [{ headers, body }] = received as [Received];
    expect(JSON.parse(body)).toEqual({
      type: 'concern.raised',
      timestamp: at.toISOString(),
      data: {
        ref: 'ref-0123456789abcdefghij',
        channel: 'sms',
        flowId: 'day-centre-weekends',
        flowVersion: 'abc123',
        stepId: 'story',
        category: 'abuse',
        conversation: 'continues',
        at: at.toISOString(),
      },
    });
    expect(body).not.toContain('900555');
    const signed = `${String(headers['webhook-id'])}.${String(headers['webhook-timestamp'])}.${body}`;
    const expected = createHmac('sha256', Buffer.alloc(32, 7)).update(signed).digest('base64');
    expect(headers['webhook-signature']).toBe(`v1,${expected}`);
    expect(headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
  });

  it('retries a failing alert webhook on the durable queue, then holds it for coordinators', async () => {
    received.length = 0;
    status = 500;
    const lines: string[] = [];
    const { sink, queue, held } = queued();
    const alerts = alertsWith([sink], lines);
    expect(() => alerts.raised(key, session, event)).not.toThrow();
    await alerts.settled();
    const dead = await held;
    await queue.close();
    expect(dead).toMatchObject({ kind: 'dead_lettered', reason: 'http_500', attempts: 3 });
    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(lines.join('')).toContain('"code":"concern_raised"');
    expect(lines.join('')).not.toContain('900555');
  });

  it('says what happened in words for the Slack channel', () => {
    const alert: ConcernAlert = {
      ref: 'r1',
      channel: 'whatsapp',
      flowId: 'friends-and-family',
      flowVersion: 'v',
      stepId: 'why',
      category: 'self_harm',
      conversation: 'paused',
      at: at.toISOString(),
    };
    expect(concernAlertText(alert)).toBe(
      'Safeguarding concern (self harm) in friends-and-family at step why, respondent r1 (whatsapp). They were given the help numbers; the flow paused its questions. Follow your safeguarding procedure.',
    );
  });

  it('reads the signposting numbers and refuses a half-set or unusable alert webhook', () => {
    expect(readSafeguardingConfig({}).safeguarding).toEqual({
      contacts: { emergency: '999', nhs: '111', samaritans: '116 123', local: undefined },
      alertWebhook: undefined,
    });
    expect(
      readSafeguardingConfig({ SAFEGUARDING_LOCAL_LINE: '0300 123 4567' }).safeguarding?.contacts
        .local,
    ).toBe('0300 123 4567');
    expect(readSafeguardingConfig({ ALERT_WEBHOOK_URL: url }).problems).toEqual([
      'ALERT_WEBHOOK_URL and ALERT_WEBHOOK_SECRET: set both or neither; alerts are always signed',
    ]);
    expect(
      readSafeguardingConfig({ ALERT_WEBHOOK_URL: url, ALERT_WEBHOOK_SECRET: 'whsec_short' })
        .problems[0],
    ).toMatch(/^ALERT_WEBHOOK_SECRET: /);
    expect(
      readSafeguardingConfig({ SAFEGUARDING_LOCAL_LINE: 'call the council' }).problems[0],
    ).toMatch(/^SAFEGUARDING_LOCAL_LINE: write a number as people dial it/);
  });
});
