import { createHmac } from 'node:crypto';
import { Writable } from 'node:stream';
import nock from 'nock';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { inviteSlackUsers } from '../src/channels/slack/invite.js';
import { createLogger } from '../src/logger.js';
import { participantRef } from '../src/store/participant-ref.js';
import { startPartnerServer, type PartnerServer } from './helpers/partner-server.js';
import {
  ADMIN_TOKEN,
  AUTH_TOKEN,
  PSEUDONYM_KEY,
  PUBLIC_URL,
  TWILIO_ENV,
  converse,
  eraseOverApi,
  messageSid,
  partnerFlows,
  postTwilio,
  startPrivacyApp,
  type PrivacyApp,
} from './helpers/privacy-app.js';
import { REDIS_MISSING, startRedisServer, type RedisServer } from './helpers/redis-server.js';

/**
 * People and words that must never reach a log line, in any spelling: the phone numbers are
 * searched by their last ten digits (so `+44…`, `%2B44…`, `447…` and `07…` are all caught), the
 * answers by one made-up word each, and everything case-blind.
 */
const SMS_PHONE = '+447700900777';
const WHATSAPP_PHONE = '+447700900778';
const REFUSED_PHONE = '+447700900779';
const SLACK_USER = 'U0CANARY77';
const SLACK_EMAIL = 'canary.person@example.org';
const SIGNING_SECRET = '0123456789abcdef0123456789abcdef';
const BOT_TOKEN = 'xoxb-1111111111-2222222222-canarytokenvalue';
const CANARIES = [
  SMS_PHONE.slice(3),
  WHATSAPP_PHONE.slice(3),
  REFUSED_PHONE.slice(3),
  SLACK_USER,
  SLACK_EMAIL,
  encodeURIComponent(SLACK_EMAIL),
  'canary.person',
  'zebracorn',
  'quokkaberry',
  'narwhalesque',
  'pangolinade',
  'axolotlish',
  'okapivelvet',
];

/** Slack's Web API at the network edge: every method answers as Slack would for these tests. */
function fakeSlack(): void {
  let ts = 0;
  nock('https://slack.com')
    .persist()
    .post(/\/api\/.*/)
    .reply(200, (uri) => {
      const method = uri.replace('/api/', '');
      if (method === 'users.lookupByEmail') return { ok: true, user: { id: SLACK_USER } };
      if (method === 'conversations.open') return { ok: true, channel: { id: 'D0CANARY77' } };
      return { ok: true, channel: 'D0CANARY77', ts: `${1_700_000_000 + ++ts}.000100` };
    });
}

function slackSignature(timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

let slackEvents = 0;
async function slackSays(base: string, text: string): Promise<number> {
  slackEvents++;
  const body = JSON.stringify({
    token: 'legacy-verification-token',
    team_id: 'T0TEAM001',
    api_app_id: 'A0APP0001',
    type: 'event_callback',
    event_id: `Ev0CANARY${slackEvents}`,
    event_time: Math.floor(Date.now() / 1000),
    event: {
      type: 'message',
      channel: 'D0CANARY77',
      channel_type: 'im',
      user: SLACK_USER,
      text,
      ts: `${1_600_000_000 + slackEvents}.000200`,
      event_ts: `${1_600_000_000 + slackEvents}.000200`,
    },
  });
  const timestamp = Math.floor(Date.now() / 1000);
  const response = await fetch(`${base}/slack/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': slackSignature(timestamp, body),
    },
    body,
  });
  return response.status;
}

async function webChat(base: string, texts: readonly string[]): Promise<void> {
  const started = await fetch(`${base}/chat/api/conversations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ flowId: 'friends-and-family' }),
  });
  const { conversationId } = (await started.json()) as { conversationId: string };
  for (const text of texts) {
    await fetch(`${base}/chat/api/conversations/${conversationId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
    });
  }
}

async function statusCallback(base: string, to: string): Promise<number> {
  const params = {
    MessageSid: messageSid(),
    MessageStatus: 'undelivered',
    ErrorCode: '30003',
    To: to,
    From: TWILIO_ENV.TWILIO_FROM,
    AccountSid: TWILIO_ENV.TWILIO_ACCOUNT_SID,
    ApiVersion: '2010-04-01',
  };
  const response = await fetch(`${base}/twilio/status`, {
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
  return response.status;
}

describe('log canary: nobody is named in the logs, whatever the channel', () => {
  const lines: string[] = [];
  let redis: RedisServer | undefined;
  let partner: PartnerServer;
  let app: PrivacyApp;
  let cleanUp: () => void;

  beforeAll(async () => {
    redis = await startRedisServer();
    if (redis === undefined) return;
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    fakeSlack();
    partner = await startPartnerServer();
    const flows = partnerFlows(partner.url);
    cleanUp = flows.cleanUp;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    app = await startPrivacyApp(
      {
        REDIS_URL: redis.url,
        FLOWS_DIR: flows.dir,
        LOG_LEVEL: 'debug',
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_RETRIES: '0',
        ...TWILIO_ENV,
      },
      { logger: createLogger('debug', sink) },
    );
  });
  afterAll(async () => {
    // Redis comes back before the server stops, as it would in production.
    const port = redis === undefined ? undefined : Number(new URL(redis.url).port);
    const back = port === undefined ? undefined : await startRedisServer({ port });
    if (back !== undefined)
      await vi.waitFor(async () => expect(await app.runtime.ready()).toBe(true));
    await app?.close();
    await partner?.close();
    await back?.stop();
    await redis?.stop();
    cleanUp?.();
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it('logs conversations on every channel, refusals and a Redis outage without a phone number, Slack id, email or answer', async (context) => {
    if (redis === undefined) context.skip(REDIS_MISSING);
    const server = redis as RedisServer;
    // SMS: an unclear answer, the rest of the flow, a second conversation ended by STOP.
    await converse(app.base, SMS_PHONE, ['FFT', 'axolotlish', '4', 'Zebracorn parade', 'None']);
    await converse(app.base, SMS_PHONE, ['FFT', 'STOP']);
    expect(await statusCallback(app.base, SMS_PHONE)).toBeLessThan(300);
    // WhatsApp.
    await converse(app.base, `whatsapp:${WHATSAPP_PHONE}`, ['FFT', '3', 'Quokkaberry jam', 'No']);
    await converse(app.base, `whatsapp:${WHATSAPP_PHONE}`, ['STOP']);
    // A forged request.
    const forged = await postTwilio(app.base, REFUSED_PHONE, 'Okapivelvet', { signature: 'bad' });
    expect(forged.status).toBe(403);
    // Slack: invited by email, then answering in the DM.
    const slack = app.runtime.slack;
    if (slack === undefined) throw new Error('Slack is set up in this test');
    const [invited] = await inviteSlackUsers(
      { ...app.runtime, client: slack.client },
      'friends-and-family',
      [SLACK_EMAIL],
    );
    expect(invited?.status).toBe('invited');
    for (const text of ['5', 'Narwhalesque kindness', 'Nothing']) {
      expect(await slackSays(app.base, text)).toBe(200);
    }
    // The web chat.
    await webChat(app.base, ['2', 'Pangolinade', 'No']);
    // The partner got the responses; coordinators export them and read the metrics.
    await partner.waitForRequests(3);
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const exported = await (
      await fetch(`${app.base}/api/flows/friends-and-family/responses?format=json`, {
        headers: auth,
      })
    ).text();
    const metrics = await (await fetch(`${app.base}/metrics`)).text();
    // Erasure: one refused (an email), one done.
    expect((await eraseOverApi(app.base, { address: SLACK_EMAIL })).status).toBe(400);
    expect((await eraseOverApi(app.base, { address: WHATSAPP_PHONE })).status).toBe(200);
    // Redis goes away mid-conversation.
    await server.stop();
    expect((await postTwilio(app.base, SMS_PHONE, 'Zebracorn again')).status).toBe(503);

    const logs = lines.join('').toLowerCase();
    expect(lines.length).toBeGreaterThan(50);
    // The logs do speak of each person, by pseudonymous ref only.
    const slackRef = participantRef({ channel: 'slack', address: SLACK_USER }, PSEUDONYM_KEY);
    expect(logs).toContain(slackRef.toLowerCase());
    for (const canary of CANARIES) expect(logs, canary).not.toContain(canary.toLowerCase());
    for (const identifier of [SMS_PHONE, WHATSAPP_PHONE, SLACK_USER, SLACK_EMAIL]) {
      const bare = identifier.startsWith('+') ? identifier.slice(3) : identifier;
      expect(exported, 'export').not.toContain(bare);
      expect(metrics, 'metrics').not.toContain(bare);
    }
    expect(exported).toContain('Zebracorn parade');
  });
});

describe('log redaction, the second line of defence', () => {
  it('hides fields that carry addresses, answers and invitation details if code ever logs them', () => {
    const lines: string[] = [];
    const logger = createLogger(
      'debug',
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    logger.info(
      {
        From: SMS_PHONE,
        email: SLACK_EMAIL,
        answers: { why: 'Zebracorn' },
        job: { id: 'abc.1.expiry', key: { channel: 'sms', address: WHATSAPP_PHONE } },
        invitation: { params: { name: 'Narwhalesque' } },
      },
      'a careless line',
    );
    const logged = lines.join('').toLowerCase();
    expect(logged).toContain('abc.1.expiry');
    for (const canary of CANARIES) expect(logged, canary).not.toContain(canary.toLowerCase());
  });
});
