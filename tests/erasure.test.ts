import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forget } from '../src/cli/forget.js';
import { loadConfig } from '../src/config.js';
import { BullInvitationQueue } from '../src/launch/invitation-queue.js';
import { RedisInvitationLedger } from '../src/launch/invitation-ledger.js';
import { invitationJobId } from '../src/launch/invitation-job.js';
import { createLogger } from '../src/logger.js';
import { participantRef } from '../src/store/participant-ref.js';
import type { ParticipantKey } from '../src/store/session-store.js';
import { startPartnerServer, type PartnerServer } from './helpers/partner-server.js';
import {
  ADMIN_TOKEN,
  PARTNER_SECRET,
  PSEUDONYM_KEY,
  TWILIO_ENV,
  converse,
  eraseOverApi,
  messageSid,
  partnerFlows,
  postTwilio,
  startPrivacyApp,
  type PrivacyApp,
} from './helpers/privacy-app.js';
import { redisTest } from './helpers/redis-server.js';
import { receiverAccepts } from './helpers/webhook-receiver.js';

const FLOW = 'friends-and-family';

/** A stream that keeps what is written to it. */
class Collected extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}
const ref = (key: ParticipantKey): string => participantRef(key, PSEUDONYM_KEY);

/** Every key under the prefix, with everything it holds, as text to search. */
async function dump(redis: Redis, prefix: string): Promise<{ key: string; text: string }[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  const dumped = [];
  for (const key of new Set(keys)) {
    const type = await redis.type(key);
    const value: unknown =
      type === 'string'
        ? await redis.get(key)
        : type === 'hash'
          ? await redis.hgetall(key)
          : type === 'list'
            ? await redis.lrange(key, 0, -1)
            : type === 'set'
              ? await redis.smembers(key)
              : type === 'zset'
                ? await redis.call('ZRANGE', key, '0', '-1', 'WITHSCORES')
                : type === 'stream'
                  ? await redis.xrange(key, '-', '+')
                  : null;
    dumped.push({ key, text: `${key} ${JSON.stringify(value)}` });
  }
  return dumped;
}

/** The keys whose name or content holds any of `needles`. */
function holding(dumped: { key: string; text: string }[], needles: readonly string[]): string[] {
  return dumped.filter(({ text }) => needles.some((n) => text.includes(n))).map(({ key }) => key);
}

describe('forgetting a person (Redis)', () => {
  const redisEnv = redisTest();
  let partner: PartnerServer;
  let app: PrivacyApp;
  let redis: Redis;
  let prefix: string;
  let url: string;
  let cleanUp: () => void;
  let flowsDir: string;

  beforeAll(async () => {
    ({ url, prefix } = redisEnv());
    partner = await startPartnerServer();
    const flows = partnerFlows(partner.url);
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
      { logger: createLogger('silent') },
    );
  });
  afterAll(async () => {
    await app?.close();
    await partner?.close();
    redis?.disconnect();
    cleanUp?.();
  });

  it('leaves no key or value naming the person, and tells the partner that had their response', async () => {
    const phone = '+447700900555';
    const sms: ParticipantKey = { channel: 'sms', address: phone };
    const whatsapp: ParticipantKey = { channel: 'whatsapp', address: phone };
    // A completed response, delivered to the partner; then a conversation left half-way
    // (an expiry job waiting); and a message on WhatsApp from the same phone.
    await converse(app.base, phone, ['FFT', '4', 'The nurse remembered my name', 'Parking']);
    await partner.waitForRequests(1);
    const delivered = partner.received[0];
    await converse(app.base, phone, ['FFT', '2']);
    await converse(app.base, `whatsapp:${phone}`, ['FFT']);
    // A delivery report and a failure naming the person, as the Twilio sender records them.
    const sid = messageSid();
    await app.runtime.statusLog.recordSent(sid, { ref: ref(sms), channel: 'sms', flowId: FLOW });
    await app.runtime.statusLog.updateStatus(sid, 'undelivered', 30003);
    // An invitation to a later launch, waiting in its queue and in the flow's ledger.
    const invitations = new BullInvitationQueue(url, `${prefix}jobs`);
    await invitations.add({
      id: invitationJobId(FLOW, ref(sms)),
      launchId: 'launch-1',
      flowId: FLOW,
      ref: ref(sms),
      key: { channel: 'sms', address: phone },
      language: undefined,
      variant: 'standard',
      role: undefined,
      params: { name: 'Ffion' },
      runAt: Date.now() + 86_400_000,
    });
    await invitations.close();
    await new RedisInvitationLedger(redis, prefix).record(
      FLOW,
      ref(sms),
      'launch-1',
      Date.now(),
      0,
    );
    // Someone else, who must keep everything.
    await converse(app.base, '+447700900666', ['FFT', '5']);

    const needles = [phone.slice(3), ref(sms), ref(whatsapp)];
    expect(holding(await dump(redis, prefix), needles).length).toBeGreaterThan(5);

    const { status, json } = await eraseOverApi(app.base, { address: phone });
    expect(status).toBe(200);
    const tombstone = json['erasure'] as Record<string, unknown>;
    expect(tombstone).toMatchObject({
      requestedBy: 'admin_api',
      channels: ['sms', 'whatsapp'],
      records: [{ id: delivered?.recordId, flowId: FLOW }],
      suppressionKept: false,
      stillRunning: 0,
    });
    expect(tombstone['counts']).toMatchObject({ records: 1, notices: 1, invitations: 1 });
    expect((tombstone['counts'] as Record<string, number>)['sessions']).toBe(3);

    const left = holding(await dump(redis, prefix), needles);
    expect(left).toEqual([]);
    // The other person's conversation is untouched.
    expect(
      await app.runtime.store.load({ channel: 'sms', address: '+447700900666' }),
    ).toMatchObject({
      status: 'active',
    });

    // The partner is told, signed like any delivery, about the record it had.
    await partner.waitUntil((all) => all.some((r) => r.body.includes('response.erased')));
    const notice = partner.received.find((r) => r.body.includes('response.erased'));
    const body = JSON.parse(notice?.body ?? '{}') as { type: string; data: Record<string, string> };
    expect(body.type).toBe('response.erased');
    expect(body.data['id']).toBe(delivered?.recordId);
    expect(notice?.webhookId).not.toBe(delivered?.webhookId);
    const headers = {
      'webhook-id': notice?.webhookId,
      'webhook-timestamp': notice?.timestamp,
      'webhook-signature': notice?.signature,
    };
    expect(receiverAccepts(PARTNER_SECRET, headers, notice?.body ?? '', Date.now() / 1000)).toBe(
      true,
    );
    expect(notice?.body).not.toContain(ref(sms));

    // The tombstone is listed for information governance, still without the person.
    const listed = await fetch(`${app.base}/api/erasures`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const erasures = ((await listed.json()) as { erasures: unknown[] }).erasures;
    expect(erasures[0]).toMatchObject({ id: tombstone['id'] });
    expect(JSON.stringify(erasures)).not.toContain(ref(sms));
  });

  it('keeps only the opt-out of someone who sent STOP, so nobody texts them again', async () => {
    const phone = '+447700900557';
    const sms: ParticipantKey = { channel: 'sms', address: phone };
    await converse(app.base, phone, ['FFT', '3', 'Fine', 'Nothing', 'STOP']);
    const { json } = await eraseOverApi(app.base, { address: phone, channel: 'sms' });
    expect(json['erasure']).toMatchObject({ suppressionKept: true, channels: ['sms'] });
    const left = holding(await dump(redis, prefix), [phone.slice(3), ref(sms)]);
    expect(left).toEqual([`${prefix}p:{${ref(sms)}}:optout`]);
    expect(await app.runtime.store.isOptedOut(sms)).toBe(true);
    expect(await app.runtime.store.history(sms)).toEqual([]);
    // Still nothing is said to them.
    const reply = await postTwilio(app.base, phone, 'FFT');
    expect(reply.text).not.toContain('<Message>');
  });

  it('lets a message that arrives during erasure start afresh, bringing nothing back', async () => {
    const phone = '+447700900558';
    const sms: ParticipantKey = { channel: 'sms', address: phone };
    await converse(app.base, phone, ['FFT', '1', 'Long wait', 'More staff']);
    await converse(app.base, phone, ['FFT', '2']);
    const [erased, replied] = await Promise.all([
      eraseOverApi(app.base, { address: phone }),
      postTwilio(app.base, phone, 'Another reason'),
    ]);
    expect(erased.status).toBe(200);
    expect(replied.status).toBe(200);
    expect(await app.runtime.store.history(sms)).toEqual([]);
    const session = await app.runtime.store.load(sms);
    // Either the message came first (and was erased with the rest) or after (and found nothing).
    expect(session).toBeUndefined();
    const records = [];
    for await (const record of app.runtime.responses.list(FLOW)) records.push(record);
    expect(records.filter((record) => record.respondent === ref(sms))).toEqual([]);
  });

  it('erases from the command line too, with the same tombstone', async () => {
    const phone = '+447700900565';
    const sms: ParticipantKey = { channel: 'sms', address: phone };
    await converse(app.base, phone, ['FFT', '4', 'Kind', 'Nothing']);
    const out = new Collected();
    const err = new Collected();
    const config = loadConfig({
      REDIS_URL: url,
      REDIS_PREFIX: prefix,
      PSEUDONYM_KEY,
      FLOWS_DIR: flowsDir,
      LOG_LEVEL: 'silent',
    });
    expect(await forget(['07700 900565', '--channel', 'sms', '--json'], config, out, err)).toBe(0);
    expect(JSON.parse(out.text)).toMatchObject({
      requestedBy: 'cli',
      channels: ['sms'],
      counts: { records: 1, sessions: 1 },
    });
    expect(await app.runtime.store.history(sms)).toEqual([]);
    expect(await forget(['+447700900565', '--channel', 'fax'], config, out, err)).toBe(1);
    expect(err.text).toContain('--channel takes sms, whatsapp, slack');
  });

  it('refuses a request without the token or with an address it cannot read, never echoing it', async () => {
    const unauthorised = await fetch(`${app.base}/api/participants`, {
      method: 'DELETE',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ address: '+447700900559' }),
    });
    expect(unauthorised.status).toBe(401);
    const unreadable = await eraseOverApi(app.base, { address: 'call me on 0770090055x' });
    expect(unreadable.status).toBe(400);
    expect(JSON.stringify(unreadable.json)).not.toContain('0770090055x');
    const wrongChannel = await eraseOverApi(app.base, { address: 'U0SLACK001', channel: 'sms' });
    expect(wrongChannel.status).toBe(400);
  });
});

describe('forgetting a person (embedded mode)', () => {
  let partner: PartnerServer;
  let app: PrivacyApp;
  let cleanUp: () => void;

  beforeAll(async () => {
    partner = await startPartnerServer();
    const flows = partnerFlows(partner.url);
    cleanUp = flows.cleanUp;
    app = await startPrivacyApp(
      { FLOWS_DIR: flows.dir, LOG_LEVEL: 'silent', ...TWILIO_ENV },
      { logger: createLogger('silent') },
    );
  });
  afterAll(async () => {
    await app?.close();
    await partner?.close();
    cleanUp?.();
  });

  it('empties the memory stores and tells the partner', async () => {
    const phone = '+447700900561';
    const sms: ParticipantKey = { channel: 'sms', address: phone };
    await converse(app.base, phone, ['FFT', '5', 'Quick', 'Nothing']);
    await partner.waitForRequests(1);
    await converse(app.base, phone, ['FFT']);
    const { json } = await eraseOverApi(app.base, { address: phone, channel: 'sms' });
    expect(json['erasure']).toMatchObject({ counts: { records: 1, notices: 1, sessions: 2 } });
    expect(await app.runtime.store.load(sms)).toBeUndefined();
    expect(await app.runtime.store.history(sms)).toEqual([]);
    expect(await app.runtime.responses.count(FLOW)).toBe(0);
    await partner.waitUntil((all) => all.some((r) => r.body.includes('response.erased')));
  });
});
