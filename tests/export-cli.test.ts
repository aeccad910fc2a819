import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { exportCommand } from '../src/cli/export.js';
import { loadConfig } from '../src/config.js';
import type { Session } from '../src/engine/types.js';
import { PublishedFlows } from '../src/flow/published-flows.js';
import { prepareRelease } from '../src/flow/release.js';
import { loadCatalog } from '../src/i18n/catalog.js';
import type { ResponseRecord } from '../src/responses/record.js';
import { RedisSessionStore } from '../src/store/redis-session-store.js';
import { answered, byteSink, responseRecord, skipped } from './helpers/export-records.js';
import { FLOW_ID, workspace } from './helpers/publish-workspace.js';
import { freePort, redisTest, type RedisTestEnv } from './helpers/redis-server.js';

const FLOW = 'friends-and-family';
const SECRET = 'export-cli-test-secret-0123456789abcdef';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

function endedSession(record: ResponseRecord): Session {
  return {
    flowId: record.flowId,
    flowVersion: record.flowVersion,
    status: 'completed',
    stepId: 'thanks',
    language: record.language,
    variant: record.variant,
    role: undefined,
    attempts: 0,
    followUps: 0,
    answers: record.answers,
    params: {},
    startedAt: record.startedAt,
    updatedAt: record.endedAt,
    expiresAt: '2026-12-03T09:00:00.000Z',
    revision: 1,
  };
}

/** Stores records the way a server does: in the commit that ends each session. */
async function storeRecords(env: RedisTestEnv, records: ResponseRecord[]): Promise<void> {
  const redis = new Redis(env.url, { maxRetriesPerRequest: 1 });
  stops.push(async () => {
    // Only this test's keys, found with SCAN: a shared Redis is never flushed.
    for await (const keys of redis.scanStream({ match: `${env.prefix}*` }) as AsyncIterable<
      string[]
    >) {
      if (keys.length > 0) await redis.del(...keys);
    }
    redis.disconnect();
  });
  const sessions = new RedisSessionStore({ redis, prefix: env.prefix, secret: SECRET });
  for (const [n, record] of records.entries()) {
    const saved = await sessions.commit(
      { channel: 'sms', address: `+4477009000${n}` },
      { session: endedSession(record), expectedRevision: null, ttlMs: 60_000, record },
    );
    expect(saved).toBe('saved');
  }
}

const records = [
  responseRecord({
    id: 'r1',
    flowId: FLOW,
    role: null,
    answers: { experience: answered(5), why: answered('+1 for the nurses'), improve: skipped },
  }),
  responseRecord({
    id: 'r2',
    flowId: FLOW,
    flowVersion: 'v0',
    role: null,
    // Saved by an earlier version of the flow, which asked for the ward.
    answers: { experience: answered(3), ward: answered('Ward 7, Cedar') },
  }),
];

function settings(env: Partial<RedisTestEnv>): ReturnType<typeof loadConfig> {
  return loadConfig({
    NODE_ENV: 'test',
    ...(env.url === undefined ? {} : { REDIS_URL: env.url }),
    ...(env.prefix === undefined ? {} : { REDIS_PREFIX: env.prefix }),
  });
}

async function run(
  args: string[],
  env: Partial<RedisTestEnv>,
): Promise<{ code: number; out: string; err: string }> {
  const out = byteSink();
  const err = byteSink();
  const code = await exportCommand(args, settings(env), out.stream, err.stream);
  return { code, out: out.text(), err: err.text() };
}

describe('carevoice export, without Redis', () => {
  it('says there is nothing stored to read when REDIS_URL is unset', async () => {
    const result = await run([FLOW], {});
    expect(result.code).toBe(1);
    expect(result.err).toContain('REDIS_URL is not set, so there are no stored responses to read');
    expect(result.out).toBe('');
  });

  it.each([
    [['no-such-flow'], "no flow 'no-such-flow' in flows; flows: "],
    [[], 'name one flow'],
    [[FLOW, '--format', 'xlsx'], "--format takes csv or json, not 'xlsx'"],
    [[FLOW, '--since', '26/11/2026'], "--since '26/11/2026' is not a date: write a date such as"],
  ])('refuses %j clearly', async (args, message) => {
    const result = await run(args, {});
    expect(result.code).toBe(1);
    expect(result.err).toContain(message);
  });

  it('says when Redis cannot be reached, without its URL', async () => {
    const url = `redis://:secret-password@127.0.0.1:${await freePort()}`;
    const result = await run([FLOW], { url });
    expect(result.code).toBe(1);
    expect(result.err).toContain('cannot reach Redis (REDIS_URL): ECONNREFUSED');
    expect(result.err).not.toContain('secret-password');
  });
});

describe('carevoice export, with Redis', () => {
  const env = redisTest();

  it('writes the stored responses as CSV, answers no known version saves in other_answers', async () => {
    const redis = env();
    await storeRecords(redis, records);
    const result = await run([FLOW], redis);
    expect(result.code).toBe(0);
    expect(result.err).toBe(`carevoice export: 2 responses of ${FLOW} written as csv\n`);
    const [header, ...rows] = parse(result.out, {
      bom: true,
      record_delimiter: '\r\n',
      relax_quotes: false,
      relax_column_count: false,
    }) as string[][];
    expect(header?.slice(10)).toEqual([
      'experience',
      'why',
      'improve',
      'skipped',
      'unanswered',
      'other_answers',
    ]);
    expect(rows.map((row) => [row[0], ...row.slice(10)])).toEqual([
      ['r1', '5', "'+1 for the nurses", '', 'improve', '', ''],
      ['r2', '3', '', '', '', '', '{"ward":"Ward 7, Cedar"}'],
    ]);
  });

  it('takes its columns from the versions published in Redis, the live one first', async () => {
    const redis = env();
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    const published = new PublishedFlows(client, redis.prefix);
    // Version 1 asked about parking; version 2, live, does not. Neither is in FLOWS_DIR.
    for (const fixture of ['v1', 'v2'] as const) {
      const space = workspace(fixture);
      const { catalog } = loadCatalog(space.localesDir);
      const loaded = prepareRelease(space.flowFile, { catalog, localesDir: space.localesDir });
      space.remove();
      if (!loaded.ok) throw new Error(`the ${fixture} fixture should load`);
      await published.publish(loaded.release, 'make_live');
    }
    client.disconnect();
    await storeRecords(redis, [
      responseRecord({
        id: 'r1',
        flowId: FLOW_ID,
        role: null,
        answers: {
          parking: answered('yes'),
          why: answered('Kind staff'),
          rating: answered(4),
          ward: answered('Cedar'),
        },
      }),
    ]);
    const result = await run([FLOW_ID], redis);
    expect(result.err).toBe(`carevoice export: 1 response of ${FLOW_ID} written as csv\n`);
    const [header, row] = parse(result.out, { bom: true, record_delimiter: '\r\n' }) as string[][];
    expect(header?.slice(10)).toEqual([
      'rating',
      'why',
      'parking',
      'skipped',
      'unanswered',
      'other_answers',
    ]);
    expect(row?.slice(10)).toEqual(['4', 'Kind staff', 'yes', '', '', '{"ward":"Cedar"}']);
  });

  it('keeps to records stored since a date', async () => {
    const redis = env();
    await storeRecords(redis, records);
    const later = await run([FLOW, '--format', 'json', '--since', '2999-01-01'], redis);
    expect(later.code).toBe(0);
    expect(JSON.parse(later.out)).toEqual([]);
    const all = await run([FLOW, '--format', 'json', '--since', '2026-01-01'], redis);
    expect((JSON.parse(all.out) as unknown[]).length).toBe(2);
  });

  it('runs as a command: JSON on stdout, the count on stderr', async () => {
    const redis = env();
    await storeRecords(redis, records);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'export', FLOW, '--format', 'json'],
      {
        env: { ...process.env, REDIS_URL: redis.url, REDIS_PREFIX: redis.prefix, NODE_ENV: 'test' },
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(err).toBe(`carevoice export: 2 responses of ${FLOW} written as json\n`);
    expect(code).toBe(0);
    const rows = JSON.parse(out) as { record_id: string; answers: unknown }[];
    expect(rows.map((row) => [row.record_id, row.answers])).toEqual([
      ['r1', { experience: 5, why: '+1 for the nurses' }],
      ['r2', { experience: 3, ward: 'Ward 7, Cedar' }],
    ]);
  });
});
