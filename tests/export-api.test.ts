import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createApp } from '../src/http/app.js';
import { createLogger } from '../src/logger.js';
import type { ResponseStore } from '../src/responses/response-store.js';
import { createRuntime } from '../src/runtime.js';

const TOKEN = 'export-test-admin-token-0123456789';
const FLOW = 'friends-and-family';
const NOW = new Date('2026-11-26T09:00:00.000Z');

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

/** The real app in embedded mode, its clock held still so `since` has a fixed meaning. */
async function startApp(responses?: ResponseStore): Promise<string> {
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: 'silent',
    ADMIN_TOKEN: TOKEN,
  });
  const runtime = await createRuntime(config, {
    logger: createLogger('silent'),
    clock: () => NOW,
  });
  const server = createServer(
    createApp(responses === undefined ? runtime : { ...runtime, responses }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stops.push(async () => {
    await new Promise((resolve) => server.close(resolve));
    await runtime.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface Turn {
  conversationId?: string;
  status: string;
  replies: { type: string; stepId?: string }[];
}

async function postJson(url: string, body: unknown): Promise<Turn> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBeLessThan(300);
  return (await response.json()) as Turn;
}

/** Talks through the web chat, answering each question the flow asks from `answers`. */
async function respond(url: string, answers: Readonly<Record<string, string>>): Promise<void> {
  let turn = await postJson(`${url}/chat/api/conversations`, { flowId: FLOW, language: 'en' });
  const id = turn.conversationId ?? '';
  while (turn.status === 'active') {
    const stepId = turn.replies.findLast((reply) => reply.type === 'question')?.stepId ?? '';
    const text = answers[stepId];
    if (text === undefined) throw new Error(`no answer scripted for step '${stepId}'`);
    turn = await postJson(`${url}/chat/api/conversations/${id}/messages`, { text });
  }
  expect(turn.status).toBe('completed');
}

function download(url: string, authorization = `Bearer ${TOKEN}`): Promise<Response> {
  return fetch(url, { headers: { authorization } });
}

async function appWithTwoResponses(): Promise<string> {
  const url = await startApp();
  await respond(url, { experience: '4', why: '=1+1, "fine" really', improve: 'SKIP' });
  await respond(url, { experience: '2', why: 'Long wait\nthen rushed', improve: '@ reception' });
  return url;
}

function strictCsv(text: string): string[][] {
  return parse(text, {
    bom: true,
    record_delimiter: '\r\n',
    relax_quotes: false,
    relax_column_count: false,
    skip_empty_lines: false,
    trim: false,
  });
}

describe('GET /api/flows/:id/responses', () => {
  it('refuses a request without the admin token', async () => {
    const url = await startApp();
    const responses = `${url}/api/flows/${FLOW}/responses`;
    for (const authorization of ['', `Bearer ${TOKEN.replace('0', '1')}`, TOKEN]) {
      const refused = await download(responses, authorization);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ error: { code: 'unauthorised' } });
    }
  });

  it('downloads the responses as a CSV file: BOM, CRLF, formulas neutralised', async () => {
    const url = await appWithTwoResponses();
    const response = await download(`${url}/api/flows/${FLOW}/responses?format=csv`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="${FLOW}-responses.csv"`,
    );
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, ...rows] = strictCsv(bytes.toString('utf8'));
    expect(header?.slice(10)).toEqual([
      'experience',
      'why',
      'improve',
      'skipped',
      'unanswered',
      'other_answers',
    ]);
    expect(rows.map((row) => row.slice(10))).toEqual([
      ['4', `'=1+1, "fine" really`, '', 'improve', '', ''],
      ['2', 'Long wait\nthen rushed', "'@ reception", '', '', ''],
    ]);
    expect(rows.map((row) => [row[3], row[7], row[9]])).toEqual([
      ['web', 'completed', NOW.toISOString()],
      ['web', 'completed', NOW.toISOString()],
    ]);
  });

  it('downloads the responses as a JSON array with the answers as given', async () => {
    const url = await appWithTwoResponses();
    const response = await download(`${url}/api/flows/${FLOW}/responses?format=json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="${FLOW}-responses.json"`,
    );
    const rows = (await response.json()) as Record<string, unknown>[];
    expect(rows.map((row) => [row['answers'], row['skipped']])).toEqual([
      [{ experience: 4, why: '=1+1, "fine" really' }, ['improve']],
      [{ experience: 2, why: 'Long wait\nthen rushed', improve: '@ reception' }, []],
    ]);
  });

  it('keeps to records stored since a date', async () => {
    const url = await appWithTwoResponses();
    const count = async (since: string): Promise<number> => {
      const response = await download(
        `${url}/api/flows/${FLOW}/responses?format=json&since=${encodeURIComponent(since)}`,
      );
      expect(response.status).toBe(200);
      return ((await response.json()) as unknown[]).length;
    };
    expect(await count('2026-11-26')).toBe(2);
    expect(await count('2026-11-26T09:00:00.001Z')).toBe(0);
    expect(await count('2026-11-26T10:00+01:00')).toBe(2);
  });

  it('answers 404 for a flow it does not know and 400 for a bad format or date', async () => {
    const url = await startApp();
    const unknown = await download(`${url}/api/flows/no-such-flow/responses`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'flow_not_found' } });
    for (const [query, field] of [
      ['format=xlsx', 'format'],
      ['since=yesterday', 'since'],
      ['since=2026-11-26T09:00', 'since'],
    ] as const) {
      const refused = await download(`${url}/api/flows/${FLOW}/responses?${query}`);
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({
        error: { code: 'invalid_input', message: expect.stringContaining(`${field}:`) },
      });
    }
  });

  it('answers 503 with a JSON error, before any byte of the file, when the store is down', async () => {
    const down = (): Promise<never> =>
      Promise.reject(Object.assign(new Error('redis down'), { code: 'store_unavailable' }));
    const url = await startApp({
      list: () => ({ [Symbol.asyncIterator]: () => ({ next: down }) }),
      count: down,
    });
    for (const format of ['csv', 'json']) {
      const response = await download(`${url}/api/flows/${FLOW}/responses?format=${format}`);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ error: { code: 'store_unavailable' } });
    }
  });
});
