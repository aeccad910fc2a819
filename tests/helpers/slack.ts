import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createApp, DrainState } from '../../src/http/app.js';
import { createLogger } from '../../src/logger.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { redisTest, type RedisTestEnv } from './redis-server.js';
import {
  actionsOf,
  BOT_TOKEN,
  dmOf,
  mockSlackApi,
  type Block,
  type Posted,
  type SlackApi,
} from './slack-api.js';

export * from './slack-api.js';

export const SIGNING_SECRET = '8f742231b10e8888abcd99aa0b85a5f0';
export const PSEUDONYM_KEY = 'slack-test-pseudonym-key-000000000000001';

// ---------------------------------------------------------------------------------------------
// The app, built as `carevoice serve` builds it, and requests as Slack sends them.

/** Slack's request signature: `v0=` HMAC-SHA256 of `v0:<timestamp>:<raw body>`. */
export function slackSignature(timestamp: number, body: string, secret = SIGNING_SECRET): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** The environment of a carevoice with Slack set up, on the tests' Redis under `prefix`. */
export function slackEnv(
  redis: RedisTestEnv,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    REDIS_URL: redis.url,
    REDIS_PREFIX: redis.prefix,
    PSEUDONYM_KEY,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    ...extra,
  };
}

/** A stream that keeps what is written to it in `lines`. */
export function lineSink(lines: string[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
}

export interface SlackAppOptions {
  /** SLACK_ALERT_CHANNEL; unset by default, so alerts only reach the log. */
  readonly alertChannel?: string | undefined;
}

export interface SlackApp {
  readonly runtime: Runtime;
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  /** How far ahead of the real time the app's clock (and the time requests are signed at) is. */
  clockAheadMs: number;
  /** Every line logged so far, at debug level. */
  logs(): string;
  /** Resolves when the work begun after Slack's acknowledgements is done (as shutdown waits). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/**
 * `createRuntime` + `createApp` from the environment `carevoice serve` would read, listening on a
 * free port of 127.0.0.1. Web API retries are off (SLACK_API_RETRIES=0), so a failed call is
 * seen at once and never repeated behind nock's back.
 */
export async function startSlackApp(
  redis: RedisTestEnv,
  options: SlackAppOptions = {},
): Promise<SlackApp> {
  const lines: string[] = [];
  const logger = createLogger('debug', lineSink(lines));
  let clockAheadMs = 0;
  const clock = (): Date => new Date(Date.now() + clockAheadMs);
  const env = slackEnv(redis, {
    SLACK_API_RETRIES: '0',
    ...(options.alertChannel === undefined ? {} : { SLACK_ALERT_CHANNEL: options.alertChannel }),
  });
  const runtime = await createRuntime(loadConfig(env), { logger, clock });
  const drain = new DrainState();
  const server = createServer(createApp(runtime, drain));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    runtime,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get clockAheadMs() {
      return clockAheadMs;
    },
    set clockAheadMs(ms: number) {
      clockAheadMs = ms;
    },
    logs: () => lines.join(''),
    settled: () => drain.settled(),
    close: async () => {
      drain.begin();
      await drain.settled();
      const closed = new Promise((resolve) => server.close(resolve));
      // Keep-alive sockets of finished requests would hold close() open.
      server.closeAllConnections();
      await closed;
      await runtime.close();
    },
  };
}

export interface SlackHarness {
  readonly api: SlackApi;
  /** A fresh prefix on the tests' Redis, e.g. for a second carevoice process. */
  readonly redisEnv: () => RedisTestEnv;
  /** The app of this `describe` (started in its beforeAll). */
  readonly app: SlackApp;
  /** Sends a signed request to /slack/events and waits for the work after the ack. */
  deliver(body: string, contentType: string, headers?: Record<string, string>): Promise<Response>;
  /** A `message` event for a DM to the app from `user`, with a new event id. */
  messageEvent(
    user: string,
    text: string,
    event?: Record<string, unknown>,
  ): Record<string, unknown>;
  say(user: string, text: string): Promise<void>;
  /** A click on an element of a message we posted, with the ticked boxes for a Done click. */
  click(user: string, message: Posted, actionId: string, ticked?: readonly string[]): Promise<void>;
  /** `/carevoice` typed by `user`, and the app's answer to it. */
  command(user: string): Promise<{ response_type: string; text: string; blocks: Block[] }>;
}

/**
 * Call at the top of a `describe` that talks to carevoice as Slack does: needs Redis (the
 * block is skipped without it), fakes Slack's Web API and starts one app for the block.
 */
export function useSlackApp(options: SlackAppOptions = {}): SlackHarness {
  const redisEnv = redisTest();
  const api = mockSlackApi();
  let started: SlackApp | undefined;
  let eventCounter = 0;
  beforeAll(async () => {
    started = await startSlackApp(redisEnv(), options);
  });
  afterEach(() => {
    if (started !== undefined) started.clockAheadMs = 0;
  });
  afterAll(async () => {
    await started?.close();
  });

  const harness: SlackHarness = {
    api,
    redisEnv,
    get app() {
      if (started === undefined) throw new Error('the Slack app is started in beforeAll');
      return started;
    },
    async deliver(body, contentType, headers = {}) {
      const { app } = harness;
      const timestamp = Math.floor((Date.now() + app.clockAheadMs) / 1000);
      const response = await fetch(`${app.base}/slack/events`, {
        method: 'POST',
        headers: {
          'content-type': contentType,
          'x-slack-request-timestamp': String(timestamp),
          'x-slack-signature': slackSignature(timestamp, body),
          ...headers,
        },
        body,
      });
      await new Promise((resolve) => setImmediate(resolve));
      await app.settled();
      return response;
    },
    messageEvent(user, text, event = {}) {
      eventCounter++;
      return {
        token: 'legacy-verification-token',
        team_id: 'T0TEAM001',
        api_app_id: 'A0APP0001',
        type: 'event_callback',
        event_id: `Ev0${eventCounter.toString().padStart(8, '0')}`,
        event_time: Math.floor(Date.now() / 1000),
        event: {
          type: 'message',
          channel: dmOf(user),
          channel_type: 'im',
          user,
          text,
          ts: `${1_600_000_000 + eventCounter}.000200`,
          event_ts: `${1_600_000_000 + eventCounter}.000200`,
          ...event,
        },
      };
    },
    async say(user, text) {
      const body = JSON.stringify(harness.messageEvent(user, text));
      const response = await harness.deliver(body, 'application/json');
      expect(response.status).toBe(200);
    },
    async click(user, message, actionId, ticked = []) {
      const element = actionsOf(message).find((e) => e.action_id === actionId);
      if (element === undefined) throw new Error(`no ${actionId} in the message`);
      const boxes = actionsOf(message).filter((e) => e.type === 'checkboxes');
      const payload = {
        type: 'block_actions',
        user: { id: user, username: 'someone', name: 'someone', team_id: 'T0TEAM001' },
        api_app_id: 'A0APP0001',
        token: 'legacy-verification-token',
        container: { type: 'message', message_ts: message.ts, channel_id: message.channel },
        trigger_id: '1.2.abc',
        team: { id: 'T0TEAM001', domain: 'carers' },
        channel: { id: message.channel, name: 'directmessage' },
        message: {
          type: 'message',
          user: 'U0BOT0001',
          bot_id: 'B0BOT0001',
          ts: message.ts,
          text: message.text,
          blocks: message.blocks,
        },
        state: {
          values: {
            cv_answers: Object.fromEntries(
              boxes.map((box) => [
                box.action_id,
                {
                  type: 'checkboxes',
                  selected_options: (box.options ?? []).filter((o) => ticked.includes(o.value)),
                },
              ]),
            ),
          },
        },
        response_url: 'https://hooks.slack.com/actions/T0TEAM001/1/abc',
        actions: [
          {
            type: element.type,
            action_id: actionId,
            block_id: 'cv_answers',
            value: element.value,
            text: element.text,
            action_ts: `${Math.floor(Date.now() / 1000)}.123456`,
          },
        ],
      };
      // Interactivity arrives form-encoded: one `payload` field holding the JSON.
      const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
      const response = await harness.deliver(body, 'application/x-www-form-urlencoded');
      expect(response.status).toBe(200);
    },
    async command(user) {
      const body = new URLSearchParams({
        token: 'legacy-verification-token',
        team_id: 'T0TEAM001',
        team_domain: 'carers',
        channel_id: dmOf(user),
        channel_name: 'directmessage',
        user_id: user,
        user_name: 'someone',
        command: '/carevoice',
        text: '',
        api_app_id: 'A0APP0001',
        is_enterprise_install: 'false',
        response_url: 'https://hooks.slack.com/commands/T0TEAM001/1/abc',
        trigger_id: '1.2.abc',
      }).toString();
      const response = await harness.deliver(body, 'application/x-www-form-urlencoded');
      expect(response.status).toBe(200);
      return (await response.json()) as { response_type: string; text: string; blocks: Block[] };
    },
  };
  return harness;
}

// ---------------------------------------------------------------------------------------------

/** People and words the Slack tests use that no log line may carry. */
const NEVER_LOGGED = [
  'U0CARER001',
  'U0WELSH001',
  'U0INVITE01',
  'carer.one@example.org',
  'music group',
  'hoffi',
  BOT_TOKEN,
];

/** Logs name nobody: no Slack user ids, emails, message text or the bot token. */
export function expectLogsNameNobody(logs: string): void {
  for (const secret of NEVER_LOGGED) expect(logs).not.toContain(secret);
}

/** The value, or a failed test when it is missing (instead of a `!`). */
export function present<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value here');
  return value;
}
