import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createApp } from '../src/http/app.js';
import { createLogger } from '../src/logger.js';
import { createRuntime, type Runtime } from '../src/runtime.js';
import { redisTest } from './helpers/redis-server.js';
import { contentWithFixtureFlow } from './helpers/safeguarding-content.js';
import { BOT_TOKEN, mockSlackApi } from './helpers/slack-api.js';

const AUTH_TOKEN = 'test-auth-token-0123456789abcdef';
const PUBLIC_URL = 'https://carevoice.example.org';
const WEBHOOK = `${PUBLIC_URL}/twilio/messages`;
const ALERT_CHANNEL = 'C0ALERTS01';
const LOCAL_LINE = '0300 123 4567';
const ALERT_SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

let sequence = 0;
/** A signed inbound SMS as Twilio posts it (the fields carevoice reads). */
function inbound(from: string, body: string): Record<string, string> {
  sequence++;
  const sid = `SM${sequence.toString(16).padStart(32, '0')}`;
  return {
    MessageSid: sid,
    SmsSid: sid,
    AccountSid: `AC${'1'.repeat(32)}`,
    From: from,
    To: '+447700900000',
    Body: body,
    NumMedia: '0',
  };
}

describe('a disclosure by SMS in the middle of a consultation', () => {
  const redisEnv = redisTest();
  const slack = mockSlackApi();
  let runtime: Runtime;
  let base: string;
  let close: () => Promise<void>;
  /** The coordinators' alert webhook: a local receiver that keeps each body. */
  const webhookBodies: string[] = [];
  let receiver: Server;

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        webhookBodies.push(body);
        response.writeHead(204).end();
        receiver.emit('alert');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const alertUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`;
    const content = contentWithFixtureFlow();
    const { url, prefix } = redisEnv();
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      REDIS_URL: url,
      REDIS_PREFIX: prefix,
      PSEUDONYM_KEY: 'safeguarding-test-pseudonym-key-000001',
      FLOWS_DIR: content.flowsDir,
      LOCALES_DIR: content.localesDir,
      TWILIO_ACCOUNT_SID: `AC${'1'.repeat(32)}`,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_FROM: '+447700900000',
      PUBLIC_URL,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: '0123456789abcdef0123456789abcdef',
      SLACK_ALERT_CHANNEL: ALERT_CHANNEL,
      SLACK_API_RETRIES: '0',
      SAFEGUARDING_LOCAL_LINE: LOCAL_LINE,
      ALERT_WEBHOOK_URL: alertUrl,
      ALERT_WEBHOOK_SECRET: ALERT_SECRET,
      PARTNER_HTTP_HOSTS: '127.0.0.1',
    });
    runtime = await createRuntime(config, { logger: createLogger('silent') });
    const server = createServer(createApp(runtime));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await runtime.close();
      await new Promise((resolve) => receiver.close(resolve));
      content.remove();
    };
  });
  afterAll(async () => close?.());

  /** Sends a signed SMS and returns the texts of the TwiML reply. */
  async function say(from: string, body: string): Promise<string[]> {
    const params = inbound(from, body);
    const response = await fetch(`${base}/twilio/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, WEBHOOK, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    expect(response.status).toBe(200);
    const twiml = await response.text();
    return [...twiml.matchAll(/<Message>([\s\S]*?)<\/Message>/g)].map((m) =>
      (m[1] ?? '').replace(/&apos;/g, "'").replace(/&amp;/g, '&'),
    );
  }

  /** The alert posted to Slack and the one sent to the webhook for the next concern. */
  async function nextAlert(
    send: () => Promise<string[]>,
  ): Promise<{ replies: string[]; alert: string; webhook: Record<string, unknown> }> {
    const scope = slack.expectPosts(1);
    const posted = once(scope, 'replied');
    const hooked = once(receiver, 'alert');
    const replies = await send();
    await Promise.all([posted, hooked]);
    const [alert] = slack.posted();
    expect(alert?.channel).toBe(ALERT_CHANNEL);
    slack.clear();
    const webhook = JSON.parse(webhookBodies.shift() ?? '{}') as Record<string, unknown>;
    return { replies, alert: alert?.text ?? '', webhook };
  }

  it('signposts in Welsh, alerts coordinators without personal data, and the flow goes on', async () => {
    const from = '+447700900301';
    expect(await say(from, 'CANOLFAN')).toHaveLength(2);
    expect(await say(from, '2')).toHaveLength(1);
    const disclosure = "Mae e'n fy nharo i pan mae e wedi meddwi";
    const { replies, alert, webhook } = await nextAlert(() => say(from, disclosure));
    expect(replies).toHaveLength(3);
    expect(replies[0]).toMatch(/^Diolch am ddweud wrthym\. .*ffoniwch 999\./);
    expect(replies[0]).toContain('GIG 111');
    expect(replies[0]).toContain('116 123');
    expect(replies[0]).toContain(LOCAL_LINE);
    expect(replies[1]).toContain('Rydym wedi dweud wrth y bobl');
    expect(replies[2]).toContain('unrhyw beth arall');
    const ref = runtime.refOf({ channel: 'sms', address: from });
    expect(alert).toContain('day-centre-weekends');
    expect(alert).toContain('abuse');
    expect(alert).toContain(ref);
    expect(alert).toContain('the conversation goes on');
    expect(alert).not.toContain('nharo');
    expect(alert).not.toContain('900301');
    expect(webhook).toMatchObject({
      type: 'concern.raised',
      data: { ref, flowId: 'day-centre-weekends', stepId: 'story', category: 'abuse' },
    });
    expect(JSON.stringify(webhook)).not.toContain('nharo');
    // The conversation carries on to the next question.
    expect(await say(from, 'na')).toEqual([expect.stringContaining('Sawl diwrnod')]);
  });

  it('pauses a flow that says then: pause, and signposts again after it has ended', async () => {
    const from = '+447700900302';
    expect(await say(from, 'CHECKIN')).toHaveLength(2);
    expect(await say(from, 'yes')).toEqual(['How are things for you at the moment?']);
    const paused = await nextAlert(() => say(from, 'Honestly I want to end it all'));
    expect(paused.replies).toEqual([
      expect.stringContaining('Samaritans free on 116 123'),
      expect.stringContaining('we will not ask you any more questions now'),
    ]);
    expect(paused.alert).toContain('self harm');
    expect(paused.alert).toContain('the flow paused its questions');
    const stored = await runtime.store.load({ channel: 'sms', address: from });
    expect(stored?.status).toBe('halted');
    expect(stored?.answers).toEqual({});
    expect(await say(from, 'ok thanks')).toEqual([]);
    const later = await nextAlert(() => say(from, 'he hits me'));
    expect(later.replies[0]).toContain('call 999');
    expect(later.alert).toContain('the conversation had ended');
  });
});
