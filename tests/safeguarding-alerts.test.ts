import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { createWebhookSender } from '../src/partners/http-partner-client.js';
import {
  concernAlertText,
  createConcernAlerts,
  type ConcernAlert,
  type ConcernAlertSink,
  type ConcernEvent,
} from '../src/safeguarding/alerts.js';
import { readSafeguardingConfig } from '../src/safeguarding/config.js';
import { webhookConcernSink } from '../src/safeguarding/webhook-sink.js';
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

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        response.writeHead(status).end();
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

  function sink() {
    return webhookConcernSink({
      send: createWebhookSender({
        httpHosts: ['127.0.0.1'],
        logger: createLogger('silent'),
        clock: () => at,
      }),
      target: { url, secret: SECRET },
      wait: () => Promise.resolve(),
    });
  }

  it('posts a signed Standard Webhooks alert with the pseudonymous ref and never the message', async () => {
    received.length = 0;
    status = 200;
    const alerts = alertsWith([sink()]);
    alerts.raised(key, session, event);
    await alerts.settled();
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

  it('retries a failing webhook, then logs the failure without throwing', async () => {
    received.length = 0;
    status = 500;
    const lines: string[] = [];
    const alerts = alertsWith([sink()], lines);
    expect(() => alerts.raised(key, session, event)).not.toThrow();
    await alerts.settled();
    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    const logged = lines.join('');
    expect(logged).toContain('"code":"concern_raised"');
    expect(logged).toContain('"code":"concern_alert_failed"');
    expect(logged).toContain('"sink":"webhook"');
    expect(logged).not.toContain('900555');
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
