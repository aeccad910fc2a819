import nock from 'nock';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';

/** The bot token the tests' Slack app is set up with; every Web API call must carry it. */
export const BOT_TOKEN = 'xoxb-1111111111-2222222222-testtokenvalue';
export const SLACK_API = 'https://slack.com';

// ---------------------------------------------------------------------------------------------
// Slack's Web API at the network boundary: every call is recorded, and anything unexpected is
// an unmatched request (collected and asserted empty after each test).

export interface ApiCall {
  readonly method: string;
  readonly body: Record<string, unknown>;
  readonly answer: Record<string, unknown>;
}
export interface Posted {
  readonly channel: string;
  readonly ts: string;
  readonly text: string;
  readonly blocks: Block[];
}
export interface Block {
  type: string;
  block_id?: string;
  text?: { type: string; text: string };
  elements?: Element[];
}
export interface Element {
  type: string;
  action_id?: string;
  value?: string;
  text?: { type: string; text: string };
  options?: { text: { text: string }; value: string }[];
}

export interface SlackApi {
  /** The calls since the test began or `clear()` was last called. */
  readonly calls: readonly ApiCall[];
  clear(): void;
  /** Expects `times` calls of a Web API method; `reply` shapes Slack's answer to each. */
  expectCalls(
    method: string,
    times: number,
    reply?: (body: Record<string, unknown>) => Record<string, unknown>,
  ): nock.Scope;
  /** Expects `times` chat.postMessage calls, each answered with a fresh ts. */
  expectPosts(times: number): nock.Scope;
  /** The messages posted since `calls` was last cleared, with the ts our fake gave each. */
  posted(): Posted[];
}

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

/** Call at the top of a `describe`: nock stands for Slack there, and only 127.0.0.1 is reachable. */
export function mockSlackApi(): SlackApi {
  let calls: ApiCall[] = [];
  const unmatched: string[] = [];
  let tsCounter = 0;
  const noMatch = (request: { hostname?: string; host?: string; path?: string }): void => {
    const host = request.hostname ?? request.host ?? '';
    if (!host.startsWith('127.0.0.1')) unmatched.push(`${host}${request.path ?? ''}`);
  };

  beforeAll(() => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    nock.emitter.on('no match', noMatch);
  });
  afterEach(() => {
    const unexpected = unmatched.splice(0);
    nock.cleanAll();
    calls = [];
    expect(unexpected, 'Slack API calls nobody expected').toEqual([]);
  });
  afterAll(() => {
    nock.emitter.removeListener('no match', noMatch);
    nock.cleanAll();
    nock.enableNetConnect();
  });

  const api: SlackApi = {
    get calls() {
      return calls;
    },
    clear() {
      calls = [];
    },
    expectCalls(method, times, reply = () => ({})) {
      return nock(SLACK_API)
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
    },
    expectPosts(times) {
      return api.expectCalls('chat.postMessage', times, (body) => ({
        channel: body['channel'],
        ts: `${1_700_000_000 + ++tsCounter}.000100`,
      }));
    },
    posted() {
      return calls
        .filter((call) => call.method === 'chat.postMessage')
        .map((call) => ({
          channel: String(call.body['channel']),
          ts: String(call.answer['ts']),
          text: String(call.body['text']),
          blocks: (call.body['blocks'] ?? []) as Block[],
        }));
    },
  };
  return api;
}

export function sectionText(message: { blocks: Block[] }): string {
  return message.blocks
    .filter((block) => block.type === 'section')
    .map((block) => block.text?.text ?? '')
    .join('');
}

export function actionsOf(message: { blocks: Block[] }): Element[] {
  return message.blocks.find((block) => block.type === 'actions')?.elements ?? [];
}

/** The DM channel our fake Slack gives a user: U0CARER001 → D0CARER001. */
export function dmOf(user: string): string {
  return `D${user.slice(1)}`;
}
