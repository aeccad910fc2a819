import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TwilioConfig } from '../src/config.js';
import { createTwilioClient } from '../src/channels/twilio/client.js';
import { MemoryMessageStatusLog } from '../src/channels/twilio/message-status.js';
import { TwilioSendError, TwilioSender } from '../src/channels/twilio/sender.js';
import type { Reply } from '../src/engine/types.js';
import { createLogger } from '../src/logger.js';
import { renderForSms } from '../src/render/sms.js';
import { MemorySessionStore } from '../src/store/memory-session-store.js';
import { participantRef } from '../src/store/participant-ref.js';
import { MemoryRateLimiter } from '../src/store/rate-limiter.js';
import type { ParticipantKey } from '../src/store/session-store.js';

const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
const SERVICE_SID = `MG${'fedcba9876543210'.repeat(2)}`;
const PUBLIC_URL = 'https://carevoice.example.org';
const FROM = '+447700900999';
const SECRET = 'test-pseudonym-key-for-the-twilio-sender-0001';
const MESSAGES = `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`;

const SMS: ParticipantKey = { channel: 'sms', address: '+447700900123' };
const WHATSAPP: ParticipantKey = { channel: 'whatsapp', address: '+447700900123' };

const HELLO: Reply = { type: 'message', text: 'Thank you for taking part.' };
const QUESTION: Reply = {
  type: 'question',
  stepId: 'visit',
  ask: 'choice',
  text: 'How often do you visit?',
  hint: 'Reply with a number',
  options: [
    { key: 'weekly', label: 'Every week' },
    { key: 'monthly', label: 'Every month' },
  ],
  multiple: false,
};
const BYE: Reply = { type: 'message', text: 'That is all for now.' };

function twilioConfig(sender: 'number' | 'service' = 'number'): TwilioConfig {
  return {
    accountSid: ACCOUNT_SID,
    authToken: 'test-auth-token-0123456789abcdef',
    from: sender === 'number' ? FROM : undefined,
    messagingServiceSid: sender === 'service' ? SERVICE_SID : undefined,
    publicUrl: PUBLIC_URL,
  };
}

let sidCounter = 0;
function nextSid(): string {
  sidCounter++;
  return `SM${sidCounter.toString(16).padStart(32, '0')}`;
}

/**
 * A JSON answer with its Content-Length. nock 14 writes mocked bodies without one, and the
 * twilio client sends `Connection: keep-alive`, so without it the response never ends
 * (nock/nock#3001). Twilio itself always sends one.
 */
function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): [number, string, Record<string, string>] {
  const text = JSON.stringify(body);
  return [
    status,
    text,
    {
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(text)),
      ...headers,
    },
  ];
}

function created(status = 'queued'): [number, string, Record<string, string>] {
  return json(201, { sid: nextSid(), status });
}

/** Errors as Twilio's REST API words them (its message names the number: it must not be logged). */
function twilioError(status: number, code: number): [number, string, Record<string, string>] {
  return json(status, {
    code,
    message: `The 'To' number ${SMS.address} is not valid.`,
    more_info: `https://www.twilio.com/docs/errors/${code}`,
    status,
  });
}

/** A network error as Node raises it (nock needs an Error, not a plain object: nock/nock#2789). */
function networkError(code: string): Error {
  return Object.assign(new Error(`${code} (simulated)`), { code });
}

/** Records each posted form, in order, and answers with `answer`. */
function twilioApi(): {
  scope: nock.Scope;
  forms: Record<string, string>[];
  answer: (reply: [number, string, Record<string, string>]) => void;
} {
  const scope = nock('https://api.twilio.com');
  const forms: Record<string, string>[] = [];
  return {
    scope,
    forms,
    answer: (reply) => {
      scope.post(MESSAGES).reply((_uri, body) => {
        forms.push(Object.fromEntries(new URLSearchParams(String(body))));
        return reply;
      });
    },
  };
}

function setup(
  options: { sender?: 'number' | 'service'; limit?: number; timeoutMs?: number } = {},
) {
  const clock = (): Date => new Date('2026-03-02T10:00:00Z');
  const config = twilioConfig(options.sender);
  const statusLog = new MemoryMessageStatusLog(clock);
  const store = new MemorySessionStore(clock);
  const delays: number[] = [];
  const lines: string[] = [];
  const logger = createLogger('debug', { write: (line: string) => void lines.push(line) });
  const sender = new TwilioSender({
    config,
    client: createTwilioClient(config, { timeoutMs: options.timeoutMs }),
    statusLog,
    limiter: new MemoryRateLimiter(clock),
    outboundLimitPerHour: options.limit ?? 40,
    refOf: (key) => participantRef(key, SECRET),
    onOptedOut: (key) => store.setOptedOut(key, true),
    logger,
    sleep: async (ms) => void delays.push(ms),
    random: () => 0.5,
    clock,
  });
  const logs = (): Record<string, unknown>[] =>
    lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { sender, statusLog, store, delays, logs, text: () => lines.join('') };
}

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect((host) => host === '127.0.0.1' || host.startsWith('127.0.0.1:'));
});
afterEach(() => {
  nock.cleanAll();
});
afterAll(() => {
  nock.enableNetConnect();
});

describe('TwilioSender: what is posted', () => {
  it('sends an SMS from the number, with the status callback under PUBLIC_URL', async () => {
    const api = twilioApi();
    api.answer(created());
    const { sender, statusLog } = setup();
    await sender.send(SMS, [HELLO], { flowId: 'day-centre-weekends' });
    expect(api.forms).toEqual([
      {
        To: '+447700900123',
        From: FROM,
        Body: renderForSms(HELLO),
        StatusCallback: `${PUBLIC_URL}/twilio/status`,
      },
    ]);
    expect((await statusLog.counts()).queued).toBe(1);
    api.scope.done();
  });

  it('sends WhatsApp from whatsapp:TWILIO_FROM to whatsapp:+E.164', async () => {
    const api = twilioApi();
    api.answer(created());
    const { sender } = setup();
    await sender.send(WHATSAPP, [HELLO]);
    expect(api.forms).toEqual([
      {
        To: 'whatsapp:+447700900123',
        From: `whatsapp:${FROM}`,
        Body: renderForSms(HELLO),
        StatusCallback: `${PUBLIC_URL}/twilio/status`,
      },
    ]);
    api.scope.done();
  });

  it('sends through the Messaging Service when one is set, for SMS and WhatsApp', async () => {
    const api = twilioApi();
    api.answer(created('accepted'));
    api.answer(created('accepted'));
    const { sender, statusLog } = setup({ sender: 'service' });
    await sender.send(SMS, [HELLO]);
    await sender.send(WHATSAPP, [HELLO]);
    expect(api.forms).toEqual([
      {
        To: '+447700900123',
        MessagingServiceSid: SERVICE_SID,
        Body: renderForSms(HELLO),
        StatusCallback: `${PUBLIC_URL}/twilio/status`,
      },
      {
        To: 'whatsapp:+447700900123',
        MessagingServiceSid: SERVICE_SID,
        Body: renderForSms(HELLO),
        StatusCallback: `${PUBLIC_URL}/twilio/status`,
      },
    ]);
    expect((await statusLog.counts()).accepted).toBe(2);
    api.scope.done();
  });

  it('sends several replies as several messages, in order', async () => {
    const api = twilioApi();
    for (let i = 0; i < 3; i++) api.answer(created());
    const { sender } = setup();
    await sender.send(SMS, [HELLO, QUESTION, BYE]);
    expect(api.forms.map((form) => form['Body'])).toEqual(
      [HELLO, QUESTION, BYE].map((reply) => renderForSms(reply)),
    );
    api.scope.done();
  });
});

describe('TwilioSender: retries', () => {
  it('retries a 429 once, after the backoff', async () => {
    const api = twilioApi();
    api.answer(twilioError(429, 20429));
    api.answer(created());
    const { sender, delays } = setup();
    const report = await sender.deliver(SMS, [HELLO]);
    expect(report).toEqual({ sent: 1, skipped: 0 });
    expect(api.forms).toHaveLength(2);
    expect(delays).toEqual([1_000]);
    api.scope.done();
  });

  it('waits as long as Retry-After asks', async () => {
    const api = twilioApi();
    const [status, body, headers] = twilioError(429, 20429);
    api.answer([status, body, { ...headers, 'Retry-After': '3' }]);
    api.answer(created());
    const { sender, delays } = setup();
    await sender.send(SMS, [HELLO]);
    expect(delays).toEqual([3_000]);
    api.scope.done();
  });

  it('does not wait out a long Retry-After: the job queue tries later', async () => {
    const api = twilioApi();
    const [status, body, headers] = twilioError(429, 20429);
    api.answer([status, body, { ...headers, 'Retry-After': '120' }]);
    const { sender, delays } = setup();
    await expect(sender.send(SMS, [HELLO])).rejects.toMatchObject({
      code: 'twilio_send_failed',
      httpStatus: 429,
    });
    expect(delays).toEqual([]);
    api.scope.done();
  });

  it('leaves a full Twilio queue (21611) to a later retry, not an immediate one', async () => {
    const api = twilioApi();
    api.answer(twilioError(400, 21611));
    const { sender, delays } = setup();
    await expect(sender.send(SMS, [HELLO])).rejects.toMatchObject({
      reason: 'twilio_refused',
      twilioCode: 21611,
    });
    expect(delays).toEqual([]);
    api.scope.done();
  });

  it('retries 5xx with exponential backoff', async () => {
    const api = twilioApi();
    api.answer(json(500, { code: 20500, message: 'Internal Server Error', status: 500 }));
    api.answer(json(500, { code: 20500, message: 'Internal Server Error', status: 500 }));
    api.answer(created());
    const { sender, delays, statusLog } = setup();
    await sender.send(SMS, [HELLO]);
    expect(delays).toEqual([1_000, 2_000]);
    expect((await statusLog.counts()).queued).toBe(1);
    api.scope.done();
  });

  it('gives up after four attempts and throws, as nothing was sent', async () => {
    const api = twilioApi();
    for (let i = 0; i < 4; i++)
      api.answer(json(503, { code: 20503, message: 'down', status: 503 }));
    const { sender, delays } = setup();
    const sending = sender.send(SMS, [HELLO]);
    await expect(sending).rejects.toBeInstanceOf(TwilioSendError);
    await expect(sending).rejects.toMatchObject({
      code: 'twilio_send_failed',
      reason: 'twilio_unavailable',
      httpStatus: 503,
      twilioCode: 20503,
    });
    expect(delays).toEqual([1_000, 2_000, 4_000]);
    api.scope.done();
  });

  it('does not throw when the retries run out after an earlier reply went out', async () => {
    const api = twilioApi();
    api.answer(created());
    for (let i = 0; i < 4; i++) api.answer(json(502, { message: 'bad gateway', status: 502 }));
    const { sender } = setup();
    await expect(sender.send(SMS, [HELLO, BYE])).resolves.toBeUndefined();
    api.scope.done();
  });

  it('retries when the connection was refused (nothing reached Twilio)', async () => {
    const api = twilioApi();
    api.scope.post(MESSAGES).replyWithError(networkError('ECONNREFUSED'));
    api.answer(created());
    const { sender, delays } = setup();
    expect(await sender.deliver(SMS, [HELLO])).toEqual({ sent: 1, skipped: 0 });
    expect(delays).toEqual([1_000]);
    api.scope.done();
  });

  it('never retries a 4xx other than 429', async () => {
    const api = twilioApi();
    api.answer(twilioError(400, 21211));
    const { sender, delays, statusLog, text } = setup();
    const report = await sender.deliver(SMS, [HELLO, BYE]);
    expect(report).toMatchObject({
      sent: 0,
      skipped: 2,
      stopped: 'failed',
      failure: { code: 'twilio_refused', httpStatus: 400, twilioCode: 21211, retryable: false },
    });
    expect(delays).toEqual([]);
    expect((await statusLog.counts()).rejected).toBe(1);
    expect(await statusLog.recentFailures(5)).toEqual([
      expect.objectContaining({
        status: 'rejected',
        errorCode: 21211,
        ref: participantRef(SMS, SECRET),
        sid: undefined,
      }),
    ]);
    // Twilio's error text names the number; neither it nor the message reach the logs.
    expect(text()).not.toContain('7700900123');
    expect(text()).not.toContain('Thank you');
    expect(text()).toContain('"twilioCode":21211');
    api.scope.done();
  });

  it('resolves without retrying a 4xx even with nothing sent', async () => {
    const api = twilioApi();
    api.answer(twilioError(400, 63016));
    const { sender, logs } = setup();
    await expect(sender.send(WHATSAPP, [HELLO])).resolves.toBeUndefined();
    const line = logs().find((entry) => entry['twilioCode'] === 63016);
    expect(line?.['explain']).toMatch(/template/);
    api.scope.done();
  });

  it('does not retry after a timeout: Twilio may have sent it', async () => {
    const api = twilioApi();
    api.scope
      .post(MESSAGES)
      .delay(2_000)
      .reply(...created());
    const { sender, delays, logs } = setup({ timeoutMs: 100 });
    const report = await sender.deliver(SMS, [HELLO, BYE]);
    expect(report).toMatchObject({
      sent: 0,
      skipped: 2,
      failure: { code: 'twilio_uncertain', retryable: false },
    });
    expect(delays).toEqual([]);
    expect(logs().some((entry) => entry['code'] === 'twilio_uncertain')).toBe(true);
    // Not retryable: a job retry could send the message twice, so send() resolves.
    api.scope.done();
  });

  it('does not retry a reset on a fresh connection: the request may have been read', async () => {
    const api = twilioApi();
    api.scope.post(MESSAGES).replyWithError(networkError('ECONNRESET'));
    const { sender, delays } = setup();
    await expect(sender.send(SMS, [HELLO])).resolves.toBeUndefined();
    expect(delays).toEqual([]);
    api.scope.done();
  });
});

describe('TwilioSender: opt-outs and the outbound cap', () => {
  it('records the opt-out on 21610 and sends nothing more', async () => {
    const api = twilioApi();
    api.answer(created());
    api.answer(twilioError(400, 21610));
    const { sender, store, delays, statusLog } = setup();
    const report = await sender.deliver(SMS, [HELLO, QUESTION, BYE]);
    expect(report).toMatchObject({ sent: 1, skipped: 2, stopped: 'opted_out' });
    expect(api.forms).toHaveLength(2);
    expect(await store.isOptedOut(SMS)).toBe(true);
    expect(delays).toEqual([]);
    expect(await statusLog.recentFailures(1)).toEqual([
      expect.objectContaining({ status: 'rejected', errorCode: 21610 }),
    ]);
    api.scope.done();
  });

  it('skips messages over the hourly cap, with a warning, without throwing', async () => {
    const api = twilioApi();
    api.answer(created());
    api.answer(created());
    const { sender, logs } = setup({ limit: 2 });
    expect(await sender.deliver(SMS, [HELLO, QUESTION, BYE])).toEqual({
      sent: 2,
      skipped: 1,
      stopped: 'capped',
      failure: undefined,
    });
    await expect(sender.send(SMS, [BYE])).resolves.toBeUndefined();
    expect(api.forms).toHaveLength(2);
    const capped = logs().filter((entry) => entry['code'] === 'outbound_capped');
    expect(capped).toHaveLength(2);
    expect(capped[0]).toMatchObject({ level: 40, ref: participantRef(SMS, SECRET) });
    api.scope.done();
  });

  it('counts the cap per person', async () => {
    const api = twilioApi();
    api.answer(created());
    api.answer(created());
    const { sender } = setup({ limit: 1 });
    await sender.send(SMS, [HELLO]);
    await sender.send(WHATSAPP, [HELLO]);
    expect(api.forms.map((form) => form['To'])).toEqual([
      '+447700900123',
      'whatsapp:+447700900123',
    ]);
    api.scope.done();
  });
});
