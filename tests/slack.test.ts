import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import { Redis } from 'ioredis';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSlackAlerts } from '../src/channels/slack/alerts.js';
import { createSlackClient } from '../src/channels/slack/client.js';
import { inviteSlackUsers } from '../src/channels/slack/invite.js';
import { createSlackChannel, type SlackChannel } from '../src/channels/slack/router.js';
import { SlackSender } from '../src/channels/slack/sender.js';
import type { SlackChannelDeps } from '../src/channels/slack/deps.js';
import { inviteSlack, parseInviteSlackArgs, runInviteSlack } from '../src/cli/invite-slack.js';
import { ConversationService } from '../src/conversation/service.js';
import { SessionTimers } from '../src/conversation/session-timers.js';
import { startSession, step } from '../src/engine/step.js';
import type { Answer, Input, StepResult } from '../src/engine/types.js';
import { MemoryJobQueue } from '../src/jobs/memory-job-queue.js';
import { createLogger } from '../src/logger.js';
import { participantRef } from '../src/store/participant-ref.js';
import { RedisParticipantQueue } from '../src/store/redis-participant-queue.js';
import { RedisRateLimiter } from '../src/store/redis-rate-limiter.js';
import { RedisSessionStore } from '../src/store/redis-session-store.js';
import type { ParticipantKey } from '../src/store/session-store.js';
import { shippedContent } from './helpers/content.js';
import { redisTest } from './helpers/redis-server.js';

const SIGNING_SECRET = '8f742231b10e8888abcd99aa0b85a5f0';
const BOT_TOKEN = 'xoxb-1111111111-2222222222-testtokenvalue';
const PSEUDONYM_KEY = 'slack-test-pseudonym-key-000000000000001';
const SLACK = 'https://slack.com';
const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Slack's Web API at the network boundary: every call is recorded, and anything unexpected is
// an unmatched request (collected and asserted empty after each test).

interface ApiCall {
  readonly method: string;
  readonly body: Record<string, unknown>;
  readonly answer: Record<string, unknown>;
}
interface Posted {
  readonly channel: string;
  readonly ts: string;
  readonly text: string;
  readonly blocks: Block[];
}
interface Block {
  type: string;
  block_id?: string;
  text?: { type: string; text: string };
  elements?: Element[];
}
interface Element {
  type: string;
  action_id?: string;
  value?: string;
  text?: { type: string; text: string };
  options?: { text: { text: string }; value: string }[];
}

let calls: ApiCall[] = [];
const unmatched: string[] = [];
let tsCounter = 0;

function formBody(body: unknown): Record<string, unknown> {
  const entries =
    typeof body === 'string'
      ? [...new URLSearchParams(body).entries()]
      : Object.entries(body as Record<string, unknown>);
  return Object.fromEntries(
    entries.map(([key, value]) => [
      key,
      key === 'blocks' && typeof value === 'string' ? JSON.parse(value) : value,
    ]),
  );
}

/** Expects `times` calls of a Web API method; `reply` shapes Slack's answer to each. */
function expectApi(
  method: string,
  times: number,
  reply: (body: Record<string, unknown>) => Record<string, unknown> = () => ({}),
): nock.Scope {
  return nock(SLACK)
    .matchHeader('authorization', `Bearer ${BOT_TOKEN}`)
    .post(`/api/${method}`)
    .times(times)
    .reply(200, (_uri, raw) => {
      const body = formBody(raw);
      const given = reply(body);
      const answer = 'ok' in given ? given : { ok: true, ...given };
      calls.push({ method, body, answer });
      return answer;
    });
}

function expectPosts(times: number): nock.Scope {
  return expectApi('chat.postMessage', times, (body) => ({
    channel: body['channel'],
    ts: `${1_700_000_000 + ++tsCounter}.000100`,
  }));
}

/** The messages posted since `calls` was last cleared, with the ts our fake gave each. */
function posted(): Posted[] {
  return calls
    .filter((call) => call.method === 'chat.postMessage')
    .map((call) => ({
      channel: String(call.body['channel']),
      ts: String(call.answer['ts']),
      text: String(call.body['text']),
      blocks: (call.body['blocks'] ?? []) as Block[],
    }));
}

function sectionText(message: { blocks: Block[] }): string {
  return message.blocks
    .filter((block) => block.type === 'section')
    .map((block) => block.text?.text ?? '')
    .join('');
}

function actionsOf(message: { blocks: Block[] }): Element[] {
  return message.blocks.find((block) => block.type === 'actions')?.elements ?? [];
}

// ---------------------------------------------------------------------------------------------

describe('Slack direct messages at /slack/events', () => {
  const redisEnv = redisTest();
  const { flows, translate } = shippedContent();
  const logLines: string[] = [];
  const logger = createLogger(
    'debug',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString());
        done();
      },
    }),
  );
  /** Moved forward to play a person coming back days later; requests are signed at this time. */
  let offsetMs = 0;
  const clock = (): Date => new Date(Date.now() + offsetMs);
  const refOf = (key: ParticipantKey): string => participantRef(key, PSEUDONYM_KEY);

  let redis: Redis;
  let store: RedisSessionStore;
  let queue: RedisParticipantQueue;
  let jobs: MemoryJobQueue;
  let conversations: ConversationService;
  let deps: SlackChannelDeps;
  let slack: SlackChannel;
  let sender: SlackSender;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    nock.emitter.on('no match', (request: { hostname?: string; host?: string; path?: string }) => {
      const host = request.hostname ?? request.host ?? '';
      if (!host.startsWith('127.0.0.1')) unmatched.push(`${host}${request.path ?? ''}`);
    });
    const { url, prefix } = redisEnv();
    // Wired as src/runtime.ts wires the Redis mode, with the Slack sender among the senders.
    redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    store = new RedisSessionStore({ redis, prefix, secret: PSEUDONYM_KEY });
    queue = new RedisParticipantQueue({ redis, prefix, secret: PSEUDONYM_KEY });
    jobs = new MemoryJobQueue({ onFailure: () => undefined });
    const client = createSlackClient({ botToken: BOT_TOKEN }, { retries: 0, logger });
    sender = new SlackSender({ client, store, translate, refOf, logger });
    const senders = { slack: sender };
    conversations = new ConversationService({
      flows,
      store,
      queue,
      timers: new SessionTimers({ jobs, senders, refOf, clock }),
      senders,
      translate,
      clock,
      logger,
    });
    jobs.start((job) => conversations.runJob(job));
    deps = {
      config: { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, alertChannel: undefined },
      client,
      conversations,
      flows,
      store,
      limiter: new RedisRateLimiter(redis, prefix),
      translate,
      refOf,
      clock,
      logger,
      retryDelaysMs: [],
    };
    slack = createSlackChannel(deps);
    const app = express();
    app.use(slack.router);
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(() => {
    const unexpected = unmatched.splice(0);
    nock.cleanAll();
    calls = [];
    offsetMs = 0;
    expect(unexpected, 'Slack API calls nobody expected').toEqual([]);
  });

  afterAll(async () => {
    await slack?.idle();
    await new Promise((resolve) => server?.close(resolve));
    await jobs?.close();
    await queue?.close();
    await store?.close();
    await redis?.quit();
    nock.cleanAll();
    nock.enableNetConnect();
  });

  // --- requests as Slack sends them ----------------------------------------------------------

  function signature(timestamp: number, body: string, secret = SIGNING_SECRET): string {
    return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  }

  async function deliver(
    body: string,
    contentType: string,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const timestamp = Math.floor(clock().getTime() / 1000);
    const response = await fetch(`${base}/slack/events`, {
      method: 'POST',
      headers: {
        'content-type': contentType,
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': signature(timestamp, body),
        ...headers,
      },
      body,
    });
    await new Promise((resolve) => setImmediate(resolve));
    await slack.idle();
    return response;
  }

  let eventCounter = 0;
  function messageEvent(user: string, text: string, event: Record<string, unknown> = {}) {
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
  }

  function dmOf(user: string): string {
    return `D${user.slice(1)}`;
  }

  async function say(user: string, text: string): Promise<void> {
    const response = await deliver(JSON.stringify(messageEvent(user, text)), 'application/json');
    expect(response.status).toBe(200);
  }

  /** A click on an element of a message we posted, with the ticked boxes for a Done click. */
  async function click(
    user: string,
    message: Posted,
    actionId: string,
    ticked: readonly string[] = [],
  ): Promise<void> {
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
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const response = await deliver(body, 'application/x-www-form-urlencoded');
    expect(response.status).toBe(200);
  }

  // --- the conversation ------------------------------------------------------------------------

  it('runs the day-centre consultation in a DM, with buttons that answer once', async () => {
    const carer = 'U0CARER001';
    const dm = dmOf(carer);

    let scope = expectPosts(2);
    await say(carer, 'DAYCENTRE');
    expect(scope.isDone()).toBe(true);
    const welcome = present(posted()[0]);
    const role = present(posted()[1]);
    expect(welcome?.channel).toBe(dm);
    expect(sectionText(welcome)).toMatch(/^Hello\. Your local council/);
    expect(actionsOf(welcome)).toEqual([]);
    expect(sectionText(role)).toBe(
      'So we can ask the right questions, which of these best describes you?',
    );
    expect(actionsOf(role)).toEqual([
      expect.objectContaining({
        type: 'button',
        text: expect.objectContaining({ text: 'I go to the day centre' }),
        value: 'v1|role|service_user',
      }),
      expect.objectContaining({
        text: expect.objectContaining({ text: 'I care for someone who goes there' }),
        value: 'v1|role|carer',
      }),
      expect.objectContaining({
        text: expect.objectContaining({ text: 'Something else' }),
        value: 'v1|role|other',
      }),
    ]);
    // Buttons instead of a numbered list, and no "Reply with the number" hint.
    expect(role.blocks.map((b) => b.type)).toEqual(['section', 'actions']);
    expect(JSON.stringify(role.blocks)).not.toMatch(/1\. I go|Reply with the number/);

    calls = [];
    const update = expectApi('chat.update', 1);
    scope = expectPosts(1);
    await click(carer, role, 'cv_answer_1');
    expect(update.isDone() && scope.isDone()).toBe(true);
    const updated = present(calls.find((call) => call.method === 'chat.update')).body;
    expect(updated).toMatchObject({ channel: dm, ts: role.ts });
    const updatedBlocks = updated['blocks'] as Block[];
    expect(updatedBlocks.map((b) => b.type)).toEqual(['section', 'context']);
    expect(JSON.stringify(updatedBlocks)).toContain('✅ *I care for someone who goes there*');
    expect(sectionText(present(posted()[0]))).toMatch(/from your point of view as a carer/);

    // Another click on the same message (before Slack showed the update) changes nothing.
    calls = [];
    await click(carer, role, 'cv_answer_0');
    expect(calls).toEqual([]);
    expect((await store.load({ channel: 'slack', address: carer }))?.answers['role']).toMatchObject(
      { value: 'carer' },
    );

    // The story over several messages, gathered by the engine.
    const typed = async (text: string, expected: RegExp): Promise<Posted> => {
      calls = [];
      const s = expectPosts(1);
      await say(carer, text);
      expect(s.isDone()).toBe(true);
      const reply = present(posted()[0]);
      expect(sectionText(reply)).toMatch(expected);
      return reply;
    };
    await typed(
      'It gives me a few hours to myself &amp; <https://x.example|the form>.',
      /anything else/,
    );
    await typed('He loves the music group.', /anything else/);
    const visits = await typed('no', /How many days a week does the person you care for/);
    expect(visits.blocks.map((b) => b.type)).toEqual(['section', 'context']);
    expect(JSON.stringify(visits.blocks)).toContain('Reply with a number from 0 to 7.');

    const weekends = await typed('three', /open at weekends/);
    expect(actionsOf(weekends).map((e) => [e.text?.text, e.value])).toEqual([
      ['Yes', 'v1|weekends|yes'],
      ['No', 'v1|weekends|no'],
    ]);
    expect(JSON.stringify(weekends.blocks)).not.toContain('Reply YES or NO');

    calls = [];
    expectApi('chat.update', 1);
    scope = expectPosts(1);
    await click(carer, weekends, 'cv_answer_0');
    expect(scope.isDone()).toBe(true);
    const hours = present(posted()[0]);
    expect(sectionText(hours)).toBe('Which times at weekends would suit you?');
    const [boxes, done] = actionsOf(hours);
    expect(boxes).toMatchObject({
      type: 'checkboxes',
      options: [
        { text: { text: 'Morning' }, value: 'v1|hours|morning' },
        { text: { text: 'Afternoon' }, value: 'v1|hours|afternoon' },
        { text: { text: 'Evening' }, value: 'v1|hours|evening' },
      ],
    });
    expect(done).toMatchObject({ type: 'button', text: { text: 'Done' }, value: 'v1|hours' });

    calls = [];
    expectApi('chat.update', 1);
    scope = expectPosts(1);
    await click(carer, hours, 'cv_done', ['v1|hours|morning', 'v1|hours|evening']);
    expect(scope.isDone()).toBe(true);
    expect(JSON.stringify(present(calls[0]).body['blocks'])).toContain('✅ *Morning*, *Evening*');
    const rating = present(posted()[0]);
    expect(actionsOf(rating).map((e) => e.text?.text)).toEqual(['1', '2', '3', '4', '5']);
    expect(JSON.stringify(rating.blocks)).toContain('1 (very poor) to 5 (very good)');

    // A typed answer to a question with buttons is taken too.
    const thanks = await typed('4', /^Thank you for your time, and for all you do as a carer/);
    expect(actionsOf(thanks)).toEqual([]);

    const finished = present((await store.history({ channel: 'slack', address: carer }))[0]);
    expect(finished?.status).toBe('completed');
    expect(answerValues(finished.answers)).toEqual({
      role: 'carer',
      story: 'It gives me a few hours to myself & the form.\n\nHe loves the music group.',
      days_a_week: 3,
      weekends_wanted: 'yes',
      hours: ['morning', 'evening'],
      rating: 4,
    });

    // The old rating buttons now answer nothing: their buttons are taken away.
    calls = [];
    expectApi('chat.update', 1);
    await click(carer, rating, 'cv_answer_4');
    expect(calls.map((c) => c.method)).toEqual(['chat.update']);
    expect((present(calls[0]).body['blocks'] as Block[]).map((b) => b.type)).toEqual(['section']);
  });

  it('runs a flow file unchanged: Slack and the engine give the same words and answers', async () => {
    const person = 'U0WELSH001';
    const flow = present(flows.get('day-centre-weekends'));
    const ctx = { now: new Date(), translate };
    let engine: StepResult = startSession(flow, { language: 'cy' }, ctx);
    let last: Posted[] = [];
    const turn = async (
      slackSide: () => Promise<void>,
      input: Input | undefined,
    ): Promise<void> => {
      if (input !== undefined) engine = step(flow, engine.session, input, ctx);
      const expected = engine.replies;
      calls = [];
      expectPosts(expected.length);
      if (input?.type === 'choice') expectApi('chat.update', 1);
      await slackSide();
      last = posted();
      expect(last.map(sectionText)).toEqual(expected.map((reply) => reply.text));
    };
    await turn(() => say(person, 'CANOLFAN'), undefined);
    await turn(() => click(person, present(last[1]), 'cv_answer_0'), {
      type: 'choice',
      stepId: 'role',
      values: ['service_user'],
    });
    await turn(() => say(person, 'HAWDD'), { type: 'text', text: 'HAWDD' });
    await turn(() => say(person, "Dw i'n hoffi'r staff."), {
      type: 'text',
      text: "Dw i'n hoffi'r staff.",
    });
    await turn(() => say(person, 'na'), { type: 'text', text: 'na' });
    await turn(() => say(person, 'dau'), { type: 'text', text: 'dau' });
    expect(actionsOf(present(last[0])).map((e) => e.text?.text)).toEqual(['Ie', 'Na']);
    await turn(() => click(person, present(last[0]), 'cv_answer_1'), {
      type: 'choice',
      stepId: 'weekends',
      values: ['no'],
    });
    await turn(() => click(person, present(last[0]), 'cv_answer_4'), {
      type: 'choice',
      stepId: 'rating',
      values: ['5'],
    });
    expect(engine.session.status).toBe('completed');
    const done = present((await store.history({ channel: 'slack', address: person }))[0]);
    expect(done).toMatchObject({ status: 'completed', language: 'cy', variant: 'plain' });
    expect(answerValues(done.answers)).toEqual(answerValues(engine.session.answers));
  });

  it('answers an event Slack delivers four times (X-Slack-Retry-Num 1 to 3) once', async () => {
    const person = 'U0RETRY001';
    expectPosts(2);
    await say(person, 'DAYCENTRE');
    const before = present(await store.load({ channel: 'slack', address: person }));
    calls = [];
    const scope = expectPosts(1);
    const body = JSON.stringify(messageEvent(person, '2'));
    const responses = await Promise.all(
      [undefined, '1', '2', '3'].map((retry) =>
        deliver(
          body,
          'application/json',
          retry === undefined
            ? {}
            : { 'x-slack-retry-num': retry, 'x-slack-retry-reason': 'http_timeout' },
        ),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(scope.isDone()).toBe(true);
    expect(posted()).toHaveLength(1);
    const after = await store.load({ channel: 'slack', address: person });
    expect(after).toMatchObject({ stepId: 'story', revision: before.revision + 1 });
    expect(after?.answers['role']).toMatchObject({ status: 'answered', value: 'carer' });
  });

  it('takes one answer from two buttons clicked at once on the same question', async () => {
    const person = 'U0DOUBLE01';
    expectPosts(2);
    await say(person, 'DAYCENTRE');
    const role = present(posted()[1]);
    const before = present(await store.load({ channel: 'slack', address: person }));
    calls = [];
    const update = expectApi('chat.update', 1);
    const reply = expectPosts(1);
    await Promise.all([click(person, role, 'cv_answer_1'), click(person, role, 'cv_answer_2')]);
    expect(update.isDone() && reply.isDone()).toBe(true);
    expect(calls.map((c) => c.method).sort()).toEqual(['chat.postMessage', 'chat.update']);
    const after = await store.load({ channel: 'slack', address: person });
    expect(after).toMatchObject({ stepId: 'story', revision: before.revision + 1 });
  });

  it('picks up where a carer left off when they come back days later', async () => {
    const person = 'U0RESUME01';
    expectPosts(2);
    await say(person, 'DAYCENTRE');
    offsetMs = 10 * DAY_MS; // the flow expires after 14 days
    calls = [];
    const scope = expectPosts(1);
    await say(person, 'I care for someone');
    expect(scope.isDone()).toBe(true);
    expect(sectionText(present(posted()[0]))).toMatch(/from your point of view as a carer/);
  });

  it.each([
    ['a bot message (our own replies come back as events)', { bot_id: 'B0BOT0001' }],
    ['an edit', { subtype: 'message_changed' }],
    ['someone joining', { subtype: 'channel_join' }],
    ['a message in a channel, not a DM', { channel_type: 'channel', channel: 'C0PUBLIC01' }],
  ])('ignores %s', async (_name, event) => {
    const response = await deliver(
      JSON.stringify(messageEvent('U0IGNORED1', 'DAYCENTRE', event)),
      'application/json',
    );
    expect(response.status).toBe(200);
    expect(calls).toEqual([]);
    expect(await store.load({ channel: 'slack', address: 'U0IGNORED1' })).toBeUndefined();
  });

  it('tells someone writing out of the blue how to take part, once a day', async () => {
    expectPosts(1);
    await say('U0STRANGE1', 'hello?');
    expect(sectionText(present(posted()[0]))).toContain('for example DAYCENTRE');
    await say('U0STRANGE1', 'hello??');
    expect(posted()).toHaveLength(1);
  });

  // --- verification --------------------------------------------------------------------------

  describe('signature and timestamp', () => {
    const challenge = JSON.stringify({
      token: 'legacy-verification-token',
      challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
      type: 'url_verification',
    });
    const now = (): number => Math.floor(Date.now() / 1000);

    it('answers the url_verification challenge', async () => {
      const response = await deliver(challenge, 'application/json');
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
      });
    });

    const rows: {
      name: string;
      status: number;
      at?: number;
      tamper?: boolean;
      secret?: string;
      drop?: 'x-slack-signature' | 'x-slack-request-timestamp' | 'both';
      signature?: string;
    }[] = [
      { name: 'valid', status: 200 },
      { name: 'stamped four minutes ahead (inside the window)', at: 240, status: 200 },
      { name: 'tampered body', tamper: true, status: 401 },
      {
        name: 'signed with another secret',
        secret: '0123456789abcdef0123456789abcdef',
        status: 401,
      },
      { name: 'stale timestamp (six minutes old)', at: -360, status: 401 },
      { name: 'future timestamp (six minutes ahead)', at: 360, status: 401 },
      { name: 'missing signature', drop: 'x-slack-signature', status: 401 },
      { name: 'missing timestamp', drop: 'x-slack-request-timestamp', status: 401 },
      { name: 'missing both headers', drop: 'both', status: 401 },
      { name: 'malformed signature', signature: 'v0=not-hex', status: 401 },
    ];
    it.each(rows)('$name → $status', async (options) => {
      const { status } = options;
      const timestamp = now() + (options.at ?? 0);
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature':
          options.signature ?? signature(timestamp, challenge, options.secret ?? SIGNING_SECRET),
      };
      if (options.drop === 'both' || options.drop === 'x-slack-signature')
        delete headers['x-slack-signature'];
      if (options.drop === 'both' || options.drop === 'x-slack-request-timestamp')
        delete headers['x-slack-request-timestamp'];
      const body = options.tamper === true ? challenge.replace('3eZb', '4eZb') : challenge;
      const response = await fetch(`${base}/slack/events`, { method: 'POST', headers, body });
      expect(response.status).toBe(status);
      expect((await response.text()).includes('challenge')).toBe(status === 200);
    });
  });

  // --- the slash command, invitations, reminders --------------------------------------------

  async function command(
    user: string,
  ): Promise<{ response_type: string; text: string; blocks: Block[] }> {
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
    const response = await deliver(body, 'application/x-www-form-urlencoded');
    expect(response.status).toBe(200);
    return (await response.json()) as { response_type: string; text: string; blocks: Block[] };
  }

  it('lists open consultations for /carevoice, privately, in the language last used', async () => {
    const english = await command('U0NEWCOMER');
    expect(english.response_type).toBe('ephemeral');
    expect(sectionText(english)).toBe(
      '*Choose a consultation*\n• *Day centre at weekends*: `DAYCENTRE`\n• *Friends and Family Test*: `FFT`',
    );
    expect(calls).toEqual([]);

    expectPosts(2);
    await say('U0CYMRAEG1', 'CANOLFAN');
    const welsh = await command('U0CYMRAEG1');
    expect(sectionText(welsh)).toContain('• *Canolfan ddydd ar benwythnosau*: `CANOLFAN`');
    expect(sectionText(welsh)).toMatch(/^\*Dewiswch ymgynghoriad\*/);
  });

  it('invites by user id and by email: lookup, DM opened, flow started, opening posted', async () => {
    const lookups = expectApi('users.lookupByEmail', 2, (body) =>
      body['email'] === 'carer.one@example.org'
        ? { user: { id: 'U0INVITE01', name: 'carer.one' } }
        : { ok: false, error: 'users_not_found' },
    );
    const opens = expectApi('conversations.open', 2, (body) => ({
      channel: { id: dmOf(String(body['users'])) },
    }));
    const posts = expectPosts(4);
    const out: string[] = [];
    const code = await runInviteSlack(
      { ...deps },
      parseInviteSlackArgs([
        'day-centre-weekends',
        'carer.one@example.org',
        'U0INVITE02',
        'nobody@example.org',
        'not a user',
      ]),
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          out.push(chunk.toString());
          done();
        },
      }),
    );
    expect(lookups.isDone() && opens.isDone() && posts.isDone()).toBe(true);
    expect(code).toBe(1);
    expect(out.join('')).toBe(
      [
        '1. c…@example.org  invited',
        '2. U0I…02  invited',
        '3. n…@example.org  no Slack user with this email (users_not_found)',
        '4. not…er  not a Slack user id (U…) or an email',
        '2 invited, 1 not found, 1 invalid (of 4)',
        '',
      ].join('\n'),
    );
    expect(posted().map((m) => m.channel)).toEqual([
      'D0INVITE01',
      'D0INVITE01',
      'D0INVITE02',
      'D0INVITE02',
    ]);
    expect(sectionText(present(posted()[0]))).toMatch(/^Hello\. Your local council/);
    const session = await store.load({ channel: 'slack', address: 'U0INVITE01' });
    expect(session).toMatchObject({
      status: 'active',
      flowId: 'day-centre-weekends',
      stepId: 'role',
    });

    // Someone in the middle of a conversation is left alone.
    calls = [];
    const again = await inviteSlackUsers(deps, 'day-centre-weekends', ['U0INVITE02']);
    expect(again).toEqual([{ user: 'U0INVITE02', status: 'already_active', code: undefined }]);
    expect(calls).toEqual([]);
  });

  it('carevoice invite-slack: reads the environment, invites, and says what it needs', async () => {
    const { url, prefix } = redisEnv();
    const env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      REDIS_URL: url,
      REDIS_PREFIX: prefix,
      PSEUDONYM_KEY,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
    };
    const run = async (
      args: string[],
      environment: Record<string, string>,
    ): Promise<{ code: number; out: string; err: string }> => {
      const out: string[] = [];
      const err: string[] = [];
      const sink = (lines: string[]): Writable =>
        new Writable({
          write(chunk: Buffer, _encoding, done) {
            lines.push(chunk.toString());
            done();
          },
        });
      const code = await inviteSlack(args, environment, sink(out), sink(err));
      return { code, out: out.join(''), err: err.join('') };
    };
    const opens = expectApi('conversations.open', 1, () => ({ channel: { id: 'D0CLI00001' } }));
    const posts = expectPosts(2);
    expect(await run(['day-centre-weekends', 'U0CLI00001', '--lang', 'pl'], env)).toEqual({
      code: 0,
      out: '1. U0C…01  invited\n1 invited (of 1)\n',
      err: '',
    });
    expect(opens.isDone() && posts.isDone()).toBe(true);
    expect(sectionText(present(posted()[0]))).toMatch(/^Dzień dobry/);

    expect((await run(['day-centre-weekends'], env)).err).toMatch(/needs a flow and at least one/);
    const withoutSlack = { ...env, SLACK_BOT_TOKEN: '', SLACK_SIGNING_SECRET: '' };
    expect(await run(['day-centre-weekends', 'U0CLI00002'], withoutSlack)).toMatchObject({
      code: 1,
      err: 'carevoice: Slack is not set up: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET\n',
    });
    expect(
      (await run(['day-centre-weekends', 'U0CLI00002'], { ...env, REDIS_URL: '' })).err,
    ).toMatch(/REDIS_URL is not set/);
    expect((await run(['no-such-flow', 'U0CLI00002'], env)).err).toMatch(/no flow named/);
  });

  it('sends reminders through SlackSender: the DM opened, the question again with buttons', async () => {
    const person = 'U0REMIND01';
    const key: ParticipantKey = { channel: 'slack', address: person };
    expectPosts(2);
    await say(person, 'DAYCENTRE');
    const session = present(await store.load(key));
    calls = [];
    const opens = expectApi('conversations.open', 1, () => ({ channel: { id: dmOf(person) } }));
    const posts = expectPosts(2);
    await conversations.runJob({
      id: 'reminder-test',
      type: 'reminder',
      key,
      flowId: 'day-centre-weekends',
      revision: session.revision,
      runAt: Date.now(),
    });
    expect(opens.isDone() && posts.isDone()).toBe(true);
    expect(calls[0]).toMatchObject({ method: 'conversations.open', body: { users: person } });
    const reminder = present(posted()[0]);
    const question = present(posted()[1]);
    expect(sectionText(reminder)).toMatch(/^Just a reminder/);
    expect(question.channel).toBe(dmOf(person));
    expect(actionsOf(question).map((e) => e.value)).toEqual([
      'v1|role|service_user',
      'v1|role|carer',
      'v1|role|other',
    ]);
  });

  it('SlackSender: an unreachable person is not retried; a Slack outage is, when nothing went', async () => {
    const key: ParticipantKey = { channel: 'slack', address: 'U0GONE0001' };
    const reply = [{ type: 'message', text: 'Hello' }] as const;
    expectApi('conversations.open', 1, () => ({ ok: false, error: 'user_not_found' }));
    await expect(sender.send(key, reply)).resolves.toBeUndefined();
    nock(SLACK).post('/api/conversations.open').reply(503, 'unavailable');
    await expect(sender.send(key, reply)).rejects.toMatchObject({
      code: 'slack_send_failed',
      failure: { kind: 'busy', retryable: true },
    });
  });

  it("posts operational alerts to the coordinators' channel, without personal data, once", async () => {
    const client = createSlackClient({ botToken: BOT_TOKEN }, { retries: 0, logger });
    const alerts = createSlackAlerts({ client, channel: 'C0ALERTS01', logger, clock });
    const post = expectApi('chat.postMessage', 1);
    const text =
      'A reminder job for day-centre-weekends was given up (slack_send_failed) for carer.one@example.org <@U0CARER001>';
    await alerts.postAlert(text);
    await alerts.postAlert(text);
    expect(post.isDone()).toBe(true);
    expect(calls).toHaveLength(1);
    expect(present(calls[0]).body).toMatchObject({ channel: 'C0ALERTS01' });
    expect(present(calls[0]).body['text']).toBe(
      ':warning: A reminder job for day-centre-weekends was given up (slack_send_failed) for [removed] [removed]',
    );
    // Without SLACK_ALERT_CHANNEL, alerts only reach the log.
    await createSlackAlerts({ client, channel: undefined, logger, clock }).postAlert(
      'Job given up',
    );
    expect(calls).toHaveLength(1);
  });

  it('logs name nobody: no Slack user ids, emails or message text', () => {
    const logs = logLines.join('');
    expect(logs).toContain('slack event already handled');
    for (const secret of [
      'U0CARER001',
      'U0WELSH001',
      'U0INVITE01',
      'carer.one@example.org',
      'music group',
      'hoffi',
      BOT_TOKEN,
    ])
      expect(logs).not.toContain(secret);
  });
});

/** The value, or a failed test when it is missing (instead of a `!`). */
function present<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value here');
  return value;
}

function answerValues(answers: Readonly<Record<string, Answer>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(answers).map(([name, a]) => [
      name,
      a.status === 'answered' ? a.value : a.status,
    ]),
  );
}
