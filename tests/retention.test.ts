import { Writable } from 'node:stream';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { status } from '../src/cli/status.js';
import { createLogger } from '../src/logger.js';
import type { RetentionSummary } from '../src/privacy/retention-summary.js';
import { participantRef } from '../src/store/participant-ref.js';
import type { ParticipantKey } from '../src/store/session-store.js';
import { startPartnerServer, type PartnerServer } from './helpers/partner-server.js';
import {
  ADMIN_TOKEN,
  PSEUDONYM_KEY,
  TWILIO_ENV,
  converse,
  partnerFlows,
  startPrivacyApp,
  type PrivacyApp,
} from './helpers/privacy-app.js';
import { redisTest } from './helpers/redis-server.js';

const FLOW = 'friends-and-family';
const DAY = 86_400_000;
const person = (phone: string): ParticipantKey => ({ channel: 'sms', address: phone });

/** A stream that keeps what is written to it. */
class Collected extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** A clock the test moves on; the app reads it for "now". */
function movableClock(): { clock: () => Date; advance: (ms: number) => void } {
  let aheadMs = 0;
  return {
    clock: () => new Date(Date.now() + aheadMs),
    advance: (ms) => {
      aheadMs += ms;
    },
  };
}

describe('retention (Redis)', () => {
  const redisEnv = redisTest();
  const time = movableClock();
  let partner: PartnerServer;
  let app: PrivacyApp;
  let redis: Redis;
  let prefix: string;
  let url: string;
  let cleanUp: () => void;
  let flowsDir: string;

  beforeAll(async () => {
    ({ url, prefix } = redisEnv());
    // The partner has gone away (410): its deliveries are held for a coordinator, bodies and all.
    partner = await startPartnerServer({ fallback: { status: 410 } });
    const flows = partnerFlows(partner.url, '30d');
    cleanUp = flows.cleanUp;
    flowsDir = flows.dir;
    redis = new Redis(url);
    app = await startPrivacyApp(
      {
        REDIS_URL: url,
        REDIS_PREFIX: prefix,
        FLOWS_DIR: flows.dir,
        LOG_LEVEL: 'silent',
        ...TWILIO_ENV,
      },
      { logger: createLogger('silent'), clock: time.clock },
    );
  });
  afterAll(async () => {
    await app?.close();
    await partner?.close();
    redis?.disconnect();
    cleanUp?.();
  });

  it('keeps responses for the flow’s retention, then removes them with their index, held deliveries and history', async () => {
    const phone = '+447700900571';
    await converse(app.base, phone, ['FFT', '2', 'Too long on hold', 'Call back']);
    await partner.waitForRequests(1);
    await vi.waitFor(async () => expect(await app.runtime.deliveries.state.held()).toHaveLength(1));
    const index = `${prefix}p:{${participantRef(person(phone), PSEUDONYM_KEY)}}:responses`;
    expect(await redis.scard(index)).toBe(1);

    const answer = await fetch(`${app.base}/api/flows/${FLOW}/retention`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const summary = (await answer.json()) as RetentionSummary;
    expect(summary).toMatchObject({ flowId: FLOW, retentionDays: 30, records: 1 });
    const stored = Date.parse(summary.oldestStoredAt ?? '');
    expect(Date.parse(summary.oldestKeptUntil ?? '')).toBe(stored + 30 * DAY);

    // `carevoice status` says how long the flow keeps responses and until when.
    const out = new Collected();
    const env = { REDIS_URL: url, REDIS_PREFIX: prefix, PSEUDONYM_KEY, FLOWS_DIR: flowsDir };
    expect(await status([FLOW], env, out, new Collected())).toBe(0);
    const day = (iso: string | null): string => (iso ?? '').slice(0, 10);
    expect(out.text).toContain(
      `responses are kept 30 days after they are stored; 1 held, the oldest (${day(summary.oldestStoredAt)}) until ${day(summary.oldestKeptUntil)}`,
    );

    time.advance(29 * DAY);
    expect(await app.runtime.privacy.purge()).toEqual({
      records: {},
      heldDeliveries: 0,
      historyEntries: 0,
    });
    expect(await app.runtime.responses.count(FLOW)).toBe(1);

    time.advance(2 * DAY);
    const report = await app.runtime.privacy.purge();
    expect(report).toEqual({ records: { [FLOW]: 1 }, heldDeliveries: 1, historyEntries: 1 });
    expect(await app.runtime.responses.count(FLOW)).toBe(0);
    expect(await redis.exists(index)).toBe(0);
    expect(await app.runtime.deliveries.state.held()).toEqual([]);
    expect(await app.runtime.store.history(person(phone))).toEqual([]);
    expect(await app.runtime.privacy.retention(FLOW)).toMatchObject({
      records: 0,
      oldestStoredAt: null,
    });
    // A second run in the same day finds nothing more to do.
    expect((await app.runtime.privacy.purge()).records).toEqual({});
  });

  it('is scheduled once a day, one schedule shared by every server process', async () => {
    const queue = new Queue('retention', {
      prefix: `${prefix}jobs`,
      connection: new Redis(url, { maxRetriesPerRequest: null }),
    });
    try {
      const scheduler = await queue.getJobScheduler('retention-daily');
      expect(scheduler?.every).toBe(DAY);
      expect(await queue.getJobSchedulersCount()).toBe(1);
    } finally {
      await queue.close();
    }
  });
});

describe('retention (embedded mode)', () => {
  const time = movableClock();
  let partner: PartnerServer;
  let app: PrivacyApp;
  let cleanUp: () => void;

  beforeAll(async () => {
    partner = await startPartnerServer();
    const flows = partnerFlows(partner.url, '30d');
    cleanUp = flows.cleanUp;
    app = await startPrivacyApp(
      { FLOWS_DIR: flows.dir, LOG_LEVEL: 'silent', ...TWILIO_ENV },
      { logger: createLogger('silent'), clock: time.clock },
    );
  });
  afterAll(async () => {
    await app?.close();
    await partner?.close();
    cleanUp?.();
  });

  it('removes only the responses stored before their flow’s cutoff', async () => {
    await converse(app.base, '+447700900581', ['FFT', '4', 'Friendly', 'Nothing']);
    time.advance(20 * DAY);
    await converse(app.base, '+447700900582', ['FFT', '5', 'Quick', 'Nothing']);
    time.advance(11 * DAY);
    expect((await app.runtime.privacy.purge()).records).toEqual({ [FLOW]: 1 });
    const left = [];
    for await (const record of app.runtime.responses.list(FLOW)) left.push(record.respondent);
    expect(left).toEqual([participantRef(person('+447700900582'), PSEUDONYM_KEY)]);
  });
});
