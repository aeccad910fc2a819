import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { createApp } from '../src/http/app.js';
import { createLogger } from '../src/logger.js';
import { createRuntime, type Runtime } from '../src/runtime.js';
import { redisTest } from './helpers/redis-server.js';

const AUTH_TOKEN = 'test-auth-token-0123456789abcdef';
const PUBLIC_URL = 'https://carevoice.example.org';
const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';
const WEBHOOK = `${PUBLIC_URL}/twilio/messages`;
const TWILIO_ENV = {
  TWILIO_ACCOUNT_SID: `AC${'1'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: AUTH_TOKEN,
  TWILIO_FROM: '+447700900000',
  PUBLIC_URL,
};

let sequence = 0;
function messageSid(): string {
  sequence++;
  return `SM${sequence.toString(16).padStart(32, '0')}`;
}

/** The parameters Twilio posts for an inbound SMS (a realistic subset; Twilio sends more). */
function inbound(
  from: string,
  body: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  const sid = messageSid();
  return {
    ToCountry: 'GB',
    SmsMessageSid: sid,
    NumMedia: '0',
    SmsSid: sid,
    SmsStatus: 'received',
    Body: body,
    FromCountry: 'GB',
    To: '+447700900000',
    NumSegments: '1',
    MessageSid: sid,
    AccountSid: TWILIO_ENV.TWILIO_ACCOUNT_SID,
    From: from,
    ApiVersion: '2010-04-01',
    ...extra,
  };
}

/** The <Message> bodies of a TwiML answer, unescaped. */
function messages(twiml: string): string[] {
  return [...twiml.matchAll(/<Message>([\s\S]*?)<\/Message>/g)].map((m) =>
    (m[1] ?? '')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&amp;/g, '&'),
  );
}

describe('SMS and WhatsApp through /twilio/messages', () => {
  const redisEnv = redisTest();
  let runtime: Runtime;
  let base: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const { url, prefix } = redisEnv();
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      REDIS_URL: url,
      REDIS_PREFIX: prefix,
      PSEUDONYM_KEY: 'twilio-test-pseudonym-key-00000000001',
      ADMIN_TOKEN,
      ...TWILIO_ENV,
    });
    runtime = await createRuntime(config, { logger: createLogger('silent') });
    const server = createServer(createApp(runtime));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = async () => {
      await new Promise((resolve) => server.close(resolve));
      await runtime.close();
    };
  });
  afterAll(async () => close?.());

  /** Posts as Twilio does: form-encoded, signed over the public URL with the account's token. */
  async function post(
    params: Record<string, string>,
    options: { signUrl?: string; headers?: Record<string, string>; signature?: string | null } = {},
  ) {
    const signature =
      options.signature === undefined
        ? twilio.getExpectedTwilioSignature(AUTH_TOKEN, options.signUrl ?? WEBHOOK, params)
        : options.signature;
    const response = await fetch(`${base}/twilio/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(signature === null ? {} : { 'x-twilio-signature': signature }),
        ...options.headers,
      },
      body: new URLSearchParams(params).toString(),
    });
    return {
      status: response.status,
      type: response.headers.get('content-type') ?? '',
      text: await response.text(),
    };
  }

  async function say(
    from: string,
    body: string,
    extra: Record<string, string> = {},
  ): Promise<string[]> {
    const response = await post(inbound(from, body, extra));
    expect(response.status).toBe(200);
    expect(response.type).toMatch(/^text\/xml/);
    return messages(response.text);
  }

  it('runs the day-centre consultation to the end in English', async () => {
    const from = '+447700900101';
    const opening = await say(from, 'daycentre');
    expect(opening).toHaveLength(2);
    expect(opening[0]).toMatch(/^Hello\. Your local council/);
    expect(opening[1]).toContain('\n1. I go to the day centre\n2. ');
    expect(await say(from, '2')).toEqual([expect.stringContaining('as a carer')]);
    expect(await say(from, 'It gives me a few hours to myself.')).toEqual([
      expect.stringContaining('anything else'),
    ]);
    expect(await say(from, 'no')).toEqual([
      expect.stringContaining('How many days a week does the person you care for'),
    ]);
    expect(await say(from, 'three')).toEqual([expect.stringContaining('open at weekends')]);
    expect(await say(from, 'yes')).toEqual([
      expect.stringContaining('1. Morning\n2. Afternoon\n3. Evening'),
    ]);
    expect(await say(from, 'mornings')).toEqual([expect.stringContaining('how good')]);
    const [thanks] = await say(from, '5');
    expect(thanks).toMatch(/^Thank you for your time, and for all you do as a carer/);
    const [done] = await runtime.store.history({ channel: 'sms', address: from });
    expect(done?.status).toBe('completed');
    expect(done?.answers['hours']).toMatchObject({ value: ['morning'] });
  });

  it('runs it in Welsh from its Welsh keyword, over WhatsApp', async () => {
    const from = 'whatsapp:+447700900102';
    const opening = await say(from, 'CANOLFAN');
    expect(opening[0]).toMatch(/^Helo/);
    await say(from, '1');
    await say(from, "Dw i'n hoffi'r staff.");
    await say(from, 'na');
    await say(from, 'dau');
    await say(from, 'na');
    const [thanks] = await say(from, '4');
    expect(thanks).toMatch(/^Diolch/);
    const [done] = await runtime.store.history({ channel: 'whatsapp', address: '+447700900102' });
    expect(done).toMatchObject({ status: 'completed', language: 'cy' });
    expect(done?.answers['days_a_week']).toMatchObject({ value: 2 });
  });

  it('answers a Twilio retry of the same message with nothing, and records it once', async () => {
    const from = '+447700900103';
    await say(from, 'DAYCENTRE');
    const params = inbound(from, '1');
    const first = await post(params);
    const retry = await post(params);
    expect(messages(first.text)).toHaveLength(1);
    expect(messages(retry.text)).toEqual([]);
    expect((await runtime.store.load({ channel: 'sms', address: from }))?.stepId).toBe('story');
  });

  it('says nothing to "thanks" after the end of a consultation', async () => {
    const from = '+447700900107';
    await say(from, 'FFT');
    for (const text of ['5', 'Kind staff.', 'Nothing.']) await say(from, text);
    expect(await say(from, 'thanks!')).toEqual([]);
  });

  it('tells a stranger how to take part, once a day', async () => {
    const from = '+447700900104';
    expect(await say(from, 'hello?')).toEqual([expect.stringContaining('for example DAYCENTRE')]);
    expect(await say(from, 'hello??')).toEqual([]);
  });

  it("leaves STOP and START to Twilio's opt-out replies but honours them", async () => {
    const from = '+447700900105';
    await say(from, 'DAYCENTRE');
    expect(await say(from, 'STOP', { OptOutType: 'STOP' })).toEqual([]);
    expect(await runtime.store.isOptedOut({ channel: 'sms', address: from })).toBe(true);
    expect(await say(from, 'DAYCENTRE')).toEqual([]);
    expect(await say(from, 'START', { OptOutType: 'START' })).toEqual([]);
    expect(await runtime.store.isOptedOut({ channel: 'sms', address: from })).toBe(false);
    expect(await say(from, 'DAYCENTRE')).toHaveLength(2);
  });

  it('asks a flooding sender once to slow down, then goes quiet', async () => {
    const from = '+447700900106';
    const limit = runtime.config.smsFloodLimitPerMinute;
    for (let i = 0; i < limit; i++) await say(from, `message ${i}`);
    expect(await say(from, 'one more')).toEqual([
      expect.stringContaining('pause for a few minutes'),
    ]);
    expect(await say(from, 'and another')).toEqual([]);
  });

  it('sends no more than the hourly cap to one person: a reply past it is held back', async () => {
    const from = '+447700900131';
    const ref = runtime.refOf({ channel: 'sms', address: from });
    const cap = runtime.config.smsOutboundLimitPerHour;
    // Other replies this hour have left room for one message.
    await runtime.limiter.hit('sms-out', ref, 3_600_000, cap - 1);
    const opening = await say(from, 'DAYCENTRE');
    expect(opening).toEqual([expect.stringMatching(/^Hello\. Your local council/)]);
    expect(await say(from, '2')).toEqual([]);
    // The conversation went on all the same; only the sending is held back.
    const session = await runtime.store.load({ channel: 'sms', address: from });
    expect(session?.answers['role']).toBeDefined();
  });

  it('shows coordinators failed deliveries from status callbacks, by pseudonymous id only', async () => {
    const params = {
      MessageSid: messageSid(),
      MessageStatus: 'undelivered',
      ErrorCode: '30003',
      To: '+447700900120',
      From: '+447700900000',
      AccountSid: TWILIO_ENV.TWILIO_ACCOUNT_SID,
    };
    const callback = await fetch(`${base}/twilio/status`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(
          AUTH_TOKEN,
          `${PUBLIC_URL}/twilio/status`,
          params,
        ),
      },
      body: new URLSearchParams(params).toString(),
    });
    expect(callback.ok).toBe(true);
    expect((await fetch(`${base}/api/deliveries/sms`)).status).toBe(401);
    expect(
      (
        await fetch(`${base}/api/deliveries/sms`, {
          headers: { authorization: 'Bearer wrong-token-000000000000000' },
        })
      ).status,
    ).toBe(401);
    const response = await fetch(`${base}/api/deliveries/sms`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const body = await response.text();
    expect(response.status).toBe(200);
    const report = JSON.parse(body) as {
      counts: Record<string, number>;
      failures: { errorCode?: number; status: string }[];
    };
    expect(report.counts['undelivered']).toBeGreaterThanOrEqual(1);
    expect(report.failures).toContainEqual(
      expect.objectContaining({ status: 'undelivered', errorCode: 30003 }),
    );
    expect(body).not.toContain('+447700900120');
  });

  describe('signatures', () => {
    const cases: [string, () => Promise<{ status: number }>, number][] = [
      [
        'valid, signed over the public https URL (TLS ends at a proxy)',
        () => post(inbound('+447700900110', 'hi'), { headers: { 'x-forwarded-proto': 'https' } }),
        200,
      ],
      [
        'a parameter changed after signing',
        async () => {
          const params = inbound('+447700900111', 'hi');
          const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, WEBHOOK, params);
          return post({ ...params, Body: 'tampered' }, { signature });
        },
        403,
      ],
      [
        'signed over the URL the server sees instead of the public one',
        () => post(inbound('+447700900112', 'hi'), { signUrl: `${base}/twilio/messages` }),
        403,
      ],
      [
        'signed for a spoofed X-Forwarded-Host',
        () =>
          post(inbound('+447700900113', 'hi'), {
            signUrl: 'https://evil.example/twilio/messages',
            headers: { 'x-forwarded-host': 'evil.example' },
          }),
        403,
      ],
      ['no signature header', () => post(inbound('+447700900114', 'hi'), { signature: null }), 403],
      [
        'signed with another account token',
        () =>
          post(inbound('+447700900115', 'hi'), {
            signature: twilio.getExpectedTwilioSignature(
              'another-token-0123456789abcdef',
              WEBHOOK,
              inbound('+447700900115', 'hi'),
            ),
          }),
        403,
      ],
      [
        'signed but not a message (no MessageSid)',
        () => post({ From: '+447700900116', Body: 'hi' }),
        400,
      ],
      ['signed but From is not a phone number', () => post(inbound('not-a-number', 'hi')), 400],
      ['a body over 64 kB', () => post(inbound('+447700900117', 'x'.repeat(70_000))), 413],
    ];
    it.each(cases)('%s', async (_name, send, status) => {
      expect((await send()).status).toBe(status);
    });
  });
});

describe('Twilio settings', () => {
  it.each([
    [
      'an empty auth token',
      { ...TWILIO_ENV, TWILIO_AUTH_TOKEN: '' },
      'TWILIO_AUTH_TOKEN: required when Twilio is set up',
    ],
    [
      'no public URL to check signatures against',
      { ...TWILIO_ENV, PUBLIC_URL: '' },
      'PUBLIC_URL: required when Twilio is set up',
    ],
    [
      'two senders',
      { ...TWILIO_ENV, TWILIO_MESSAGING_SERVICE_SID: `MG${'2'.repeat(32)}` },
      'set exactly one',
    ],
  ])('refuses to start with %s, in any environment', (_name, env, message) => {
    for (const NODE_ENV of ['development', 'production']) {
      expect(() =>
        loadConfig({
          NODE_ENV,
          REDIS_URL: 'redis://127.0.0.1:1',
          PSEUDONYM_KEY: 'x'.repeat(32),
          ...env,
        }),
      ).toThrow(ConfigError);
      try {
        loadConfig({ NODE_ENV, ...env });
      } catch (error) {
        expect((error as ConfigError).problems.join('\n')).toContain(message);
      }
    }
  });
});
