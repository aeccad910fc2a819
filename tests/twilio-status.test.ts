import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Redis } from 'ioredis';
import nock from 'nock';
import twilio from 'twilio';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TwilioConfig } from '../src/config.js';
import {
  MemoryMessageStatusLog,
  MessageStatusError,
  type MessageStatusLog,
} from '../src/channels/twilio/message-status.js';
import { createMetricsRouter } from '../src/channels/twilio/metrics.js';
import { RedisMessageStatusLog } from '../src/channels/twilio/redis-message-status.js';
import { createTwilioStatusRouter } from '../src/channels/twilio/status-route.js';
import { createLogger } from '../src/logger.js';
import { MemorySessionStore } from '../src/store/memory-session-store.js';
import type { ParticipantKey } from '../src/store/session-store.js';
import { redisTest } from './helpers/redis-server.js';

const AUTH_TOKEN = 'test-auth-token-0123456789abcdef';
const PUBLIC_URL = 'https://carevoice.example.org';
const CONFIG: TwilioConfig = {
  accountSid: `AC${'0123456789abcdef'.repeat(2)}`,
  authToken: AUTH_TOKEN,
  from: '+447700900999',
  messagingServiceSid: undefined,
  publicUrl: PUBLIC_URL,
};
const SMS: ParticipantKey = { channel: 'sms', address: '+447700900123' };
const WHATSAPP: ParticipantKey = { channel: 'whatsapp', address: '+447700900456' };

const clock = (): Date => new Date('2026-03-02T10:00:00Z');

function sid(n: number): string {
  return `SM${n.toString(16).padStart(32, '0')}`;
}

const stops: (() => Promise<void>)[] = [];
beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect((host) => host === '127.0.0.1' || host.startsWith('127.0.0.1:'));
});
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});
afterAll(() => {
  nock.enableNetConnect();
});

/** The same small contract for every MessageStatusLog. */
function statusLogContract(make: () => Promise<MessageStatusLog>): void {
  it('keeps the furthest status: a late `sent` does not undo `delivered`', async () => {
    const log = await make();
    await log.recordSent(sid(1), { ref: 'ref-a', channel: 'sms', flowId: 'flow-a' });
    expect(await log.updateStatus(sid(1), 'delivered')).toBe('applied');
    expect(await log.updateStatus(sid(1), 'sent')).toBe('ignored');
    expect(await log.updateStatus(sid(1), 'queued')).toBe('ignored');
    const counts = await log.counts();
    expect(counts.delivered).toBe(1);
    expect(counts.sent + counts.queued).toBe(0);
  });

  it('moves the counters with each message, and `read` follows `delivered`', async () => {
    const log = await make();
    await log.recordSent(sid(1), { ref: 'ref-a', channel: 'whatsapp' });
    await log.recordSent(sid(2), { ref: 'ref-b', channel: 'whatsapp', status: 'accepted' });
    await log.updateStatus(sid(1), 'sent');
    await log.updateStatus(sid(1), 'delivered');
    await log.updateStatus(sid(1), 'read');
    expect(await log.counts()).toMatchObject({
      accepted: 1,
      queued: 0,
      sent: 0,
      delivered: 0,
      read: 1,
    });
  });

  it('keeps the first outcome: a failure is not overwritten by a late delivery', async () => {
    const log = await make();
    await log.recordSent(sid(1), { ref: 'ref-a', channel: 'sms' });
    await log.updateStatus(sid(1), 'undelivered', 30003);
    expect(await log.updateStatus(sid(1), 'delivered')).toBe('ignored');
    expect(await log.counts()).toMatchObject({ undelivered: 1, delivered: 0, queued: 0 });
  });

  it('takes a callback that arrives before the send was recorded', async () => {
    const log = await make();
    await log.updateStatus(sid(1), 'sent');
    await log.recordSent(sid(1), { ref: 'ref-a', channel: 'sms', flowId: 'flow-a' });
    await log.updateStatus(sid(1), 'failed', 30008);
    expect(await log.counts()).toMatchObject({ sent: 0, queued: 0, failed: 1 });
    expect(await log.recentFailures(5)).toEqual([
      {
        sid: sid(1),
        ref: 'ref-a',
        channel: 'sms',
        flowId: 'flow-a',
        status: 'failed',
        errorCode: 30008,
        at: '2026-03-02T10:00:00.000Z',
      },
    ]);
  });

  it('lists recent failures newest first, refused sends included, up to the limit', async () => {
    const log = await make();
    await log.recordSent(sid(1), { ref: 'ref-a', channel: 'sms' });
    await log.recordSent(sid(2), { ref: 'ref-b', channel: 'sms' });
    await log.updateStatus(sid(1), 'undelivered', 30005);
    await log.recordRejected({ ref: 'ref-c', channel: 'whatsapp', flowId: 'flow-c' }, 63016);
    await log.updateStatus(sid(2), 'delivered');
    const failures = await log.recentFailures(10);
    expect(failures.map((f) => [f.status, f.ref, f.errorCode])).toEqual([
      ['rejected', 'ref-c', 63016],
      ['undelivered', 'ref-a', 30005],
    ]);
    expect(failures[0]?.sid).toBeUndefined();
    expect(await log.recentFailures(1)).toHaveLength(1);
    expect((await log.counts()).rejected).toBe(1);
  });

  it('refuses anything but a Twilio message SID', async () => {
    const log = await make();
    await expect(log.updateStatus('SM123', 'sent')).rejects.toBeInstanceOf(MessageStatusError);
    await expect(
      log.recordSent('+447700900123', { ref: 'ref-a', channel: 'sms' }),
    ).rejects.toMatchObject({ code: 'message_sid_invalid' });
  });
}

describe('MemoryMessageStatusLog', () => {
  statusLogContract(async () => new MemoryMessageStatusLog(clock));
});

describe('RedisMessageStatusLog', () => {
  const env = redisTest();
  let redis: Redis;
  const prefixes: string[] = [];
  beforeAll(() => {
    redis = new Redis(env().url, { maxRetriesPerRequest: 1, lazyConnect: false });
  });
  afterAll(async () => {
    for (const prefix of prefixes) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
    }
    await redis.quit();
  });
  const make = async (): Promise<RedisMessageStatusLog> => {
    const { prefix } = env();
    prefixes.push(prefix);
    return new RedisMessageStatusLog({ redis, prefix, clock });
  };

  statusLogContract(make);

  it('holds no phone number in keys or values, and expires messages', async () => {
    const log = await make();
    const prefix = prefixes.at(-1) ?? '';
    const { url, store } = await startApp(log);
    await post(url, callback(sid(7), 'failed', SMS, '30003'));
    await log.recordSent(sid(8), { ref: 'ref-a', channel: 'sms' });
    const keys = await redis.keys(`${prefix}*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key).not.toContain('7700900');
      const type = await redis.type(key);
      const dump =
        type === 'hash'
          ? JSON.stringify(await redis.hgetall(key))
          : JSON.stringify(await redis.lrange(key, 0, -1));
      expect(dump).not.toContain('7700900');
    }
    const ttl = await redis.pttl(`${prefix}sms:{status}:m:${sid(8)}`);
    expect(ttl).toBeGreaterThan(29 * 86_400_000);
    expect(await store.isOptedOut(SMS)).toBe(false);
  });
});

/** An app with just the status and metrics routes, on 127.0.0.1. */
async function startApp(statusLog: MessageStatusLog = new MemoryMessageStatusLog(clock)) {
  const store = new MemorySessionStore(clock);
  const lines: string[] = [];
  const logger = createLogger('debug', { write: (line: string) => void lines.push(line) });
  const app = express();
  app.use(
    createTwilioStatusRouter({
      config: CONFIG,
      statusLog,
      onOptedOut: (key) => store.setOptedOut(key, true),
      logger,
    }),
  );
  app.use(createMetricsRouter(statusLog));
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  stops.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, store, statusLog, logText: () => lines.join('') };
}

/** A status callback as Twilio sends it, extra parameters included. */
function callback(
  messageSid: string,
  status: string,
  to: ParticipantKey,
  errorCode?: string,
): Record<string, string> {
  const prefix = to.channel === 'whatsapp' ? 'whatsapp:' : '';
  return {
    AccountSid: CONFIG.accountSid,
    ApiVersion: '2010-04-01',
    MessageSid: messageSid,
    SmsSid: messageSid,
    MessageStatus: status,
    SmsStatus: status,
    To: `${prefix}${to.address}`,
    From: `${prefix}${CONFIG.from ?? ''}`,
    ...(errorCode === undefined ? {} : { ErrorCode: errorCode }),
  };
}

/** Posts a form signed over PUBLIC_URL, as Twilio would (or unsigned, or signed wrongly). */
function post(
  base: string,
  params: Record<string, string>,
  signature: string | null = twilio.getExpectedTwilioSignature(
    AUTH_TOKEN,
    `${PUBLIC_URL}/twilio/status`,
    params,
  ),
): Promise<Response> {
  return fetch(`${base}/twilio/status`, {
    method: 'POST',
    headers: signature === null ? {} : { 'X-Twilio-Signature': signature },
    body: new URLSearchParams(params),
  });
}

describe('POST /twilio/status', () => {
  it('records signed callbacks in order of progress, not of arrival', async () => {
    const { url, statusLog } = await startApp();
    await statusLog.recordSent(sid(1), { ref: 'ref-a', channel: 'sms' });
    for (const status of ['sent', 'delivered', 'sent']) {
      const response = await post(url, callback(sid(1), status, SMS));
      expect(response.status).toBe(204);
    }
    expect(await statusLog.counts()).toMatchObject({ delivered: 1, sent: 0, queued: 0 });
  });

  it('records an opt-out when Twilio reports 21610', async () => {
    const { url, store, statusLog } = await startApp();
    await statusLog.recordSent(sid(2), { ref: 'ref-w', channel: 'whatsapp' });
    const response = await post(url, callback(sid(2), 'failed', WHATSAPP, '21610'));
    expect(response.status).toBe(204);
    expect(await store.isOptedOut(WHATSAPP)).toBe(true);
    expect(await store.isOptedOut({ channel: 'sms', address: WHATSAPP.address })).toBe(false);
    expect(await statusLog.recentFailures(1)).toEqual([
      expect.objectContaining({ sid: sid(2), ref: 'ref-w', status: 'failed', errorCode: 21610 }),
    ]);
  });

  it('does not opt out on other delivery errors', async () => {
    const { url, store } = await startApp();
    expect((await post(url, callback(sid(3), 'undelivered', SMS, '30003'))).status).toBe(204);
    expect(await store.isOptedOut(SMS)).toBe(false);
  });

  it('refuses unsigned and wrongly signed callbacks with 403', async () => {
    const { url, statusLog } = await startApp();
    const params = callback(sid(4), 'delivered', SMS);
    expect((await post(url, params, null)).status).toBe(403);
    const forOtherUrl = twilio.getExpectedTwilioSignature(
      AUTH_TOKEN,
      'https://elsewhere.example.org/twilio/status',
      params,
    );
    expect((await post(url, params, forOtherUrl)).status).toBe(403);
    expect((await statusLog.counts()).delivered).toBe(0);
  });

  it('answers 400 to a signed callback it cannot read, and logs no personal data', async () => {
    const { url, logText } = await startApp();
    const withoutSid = callback(sid(5), 'delivered', SMS);
    delete withoutSid['MessageSid'];
    const response = await post(url, withoutSid);
    expect(response.status).toBe(400);
    expect(logText()).toContain('"code":"invalid_input"');
    expect(logText()).toContain('MessageSid');
    expect(logText()).not.toContain('7700900');
  });

  it('accepts and ignores a status it does not know', async () => {
    const { url, statusLog } = await startApp();
    expect((await post(url, callback(sid(6), 'brand_new_status', SMS))).status).toBe(204);
    const counts = await statusLog.counts();
    expect(Object.values(counts).every((count) => count === 0)).toBe(true);
  });
});

describe('GET /metrics', () => {
  it('counts messages by status in the Prometheus text format', async () => {
    const { url, statusLog } = await startApp();
    await statusLog.recordSent(sid(1), { ref: 'ref-a', channel: 'sms' });
    await statusLog.recordSent(sid(2), { ref: 'ref-b', channel: 'sms' });
    await statusLog.recordSent(sid(3), { ref: 'ref-c', channel: 'sms' });
    await post(url, callback(sid(1), 'delivered', SMS));
    await post(url, callback(sid(2), 'undelivered', SMS, '30005'));
    await statusLog.recordRejected({ ref: 'ref-d', channel: 'sms' }, 21211);
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await response.text();
    expect(text).toBe(
      [
        '# HELP carevoice_sms_messages Outbound SMS and WhatsApp messages by their latest Twilio status (rejected: refused by Twilio when sent).',
        '# TYPE carevoice_sms_messages gauge',
        'carevoice_sms_messages{status="scheduled"} 0',
        'carevoice_sms_messages{status="accepted"} 0',
        'carevoice_sms_messages{status="queued"} 1',
        'carevoice_sms_messages{status="sending"} 0',
        'carevoice_sms_messages{status="sent"} 0',
        'carevoice_sms_messages{status="delivered"} 1',
        'carevoice_sms_messages{status="undelivered"} 1',
        'carevoice_sms_messages{status="failed"} 0',
        'carevoice_sms_messages{status="partially_delivered"} 0',
        'carevoice_sms_messages{status="canceled"} 0',
        'carevoice_sms_messages{status="read"} 0',
        'carevoice_sms_messages{status="rejected"} 1',
        '',
      ].join('\n'),
    );
  });
});
