import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Flow, Variant } from '../src/flow/flow.js';
import { nextAllowedTime } from '../src/jobs/quiet-hours.js';
import { planLaunch, type LaunchPlan, type LaunchPlanDeps } from '../src/launch/plan.js';
import { formatLaunchPlan } from '../src/launch/plan-report.js';
import { personRef } from '../src/launch/person.js';
import { queueLaunch } from '../src/launch/queue-launch.js';
import { spacingMs } from '../src/launch/send-window.js';
import { renderForSms } from '../src/render/sms.js';
import { countSegments } from '../src/render/sms-segments.js';
import type { ParticipantKey } from '../src/store/session-store.js';
import {
  FakeClock,
  interceptTwilio,
  launchWorld,
  RecordedQueue,
  runJobs,
  type LaunchWorld,
  type SentMessage,
} from './launch-harness.js';
import { redisTest } from './helpers/redis-server.js';

const FLOW = 'day-centre-weekends';
/** A Monday evening in London (GMT), four minutes before the flow's quiet hours (20:00-09:00). */
const START = Date.parse('2030-03-04T19:56:00Z');
const DAY_MS = 86_400_000;
const RATE = 2;

interface Person {
  readonly key: ParticipantKey;
  readonly language: string;
  readonly variant: Variant;
  readonly role: string | undefined;
  readonly name: string;
}

interface People {
  readonly csv: string;
  /** Everyone on a valid, first row: by `To` as Twilio sees it. */
  readonly valid: Map<string, Person>;
  readonly rejected: Map<number, RegExp>;
  readonly optedOut: Person[];
  readonly contactedRecently: Person[];
  readonly contactedLongAgo: Person[];
}

const LANGUAGES = ['en', 'cy', 'pl', '', 'EN'];
const ROLES = ['carer', 'service_user', '', 'other', '', ''];
const INVALID: readonly (readonly [string, RegExp])[] = [
  ['01632 960001,en,,,,', /not a UK mobile/],
  ['7700900999,en,,,,', /without its leading 0/],
  ['call me,en,,,,', /letters or symbols/],
  ['07700 900998,fr,,,,', /language 'fr'/],
  ['07700 900997,en,simple,,,', /variant 'simple'/],
  ['07700 900996,en,,nurse,,', /role 'nurse'/],
  ['07700 900995,en', /has 2 fields; the header has 6/],
  ['+1 23,,,,,', /7 to 15 digits/],
];

/**
 * 260 people written the ways coordinators write them (UK national, +44 (0), 0044, WhatsApp),
 * in three languages, some plain, with roles and names (some quoted with commas), and among
 * them 8 invalid rows and 10 second rows for people already listed.
 */
function people(): People {
  const valid = new Map<string, Person>();
  const rows: { text: string; person?: Person; reason?: RegExp }[] = [];
  const listed: Person[] = [];
  for (let i = 0; i < 260; i++) {
    const digits = String(100 + i).padStart(3, '0');
    const e164 = `+447700900${digits}`;
    const address = [
      `07700 900${digits}`,
      `"+44 (0)7700 900${digits}"`,
      `0044 7700 900${digits}`,
      `whatsapp:${e164}`,
    ][i % 4] as string;
    const language = LANGUAGES[i % 5] as string;
    const variant: Variant = i % 3 === 0 ? 'plain' : 'standard';
    const role = ROLES[i % 6] || undefined;
    const name = i % 10 === 0 ? `Jones, Sam "${i}"` : `Person ${i}`;
    const quotedName = `"${name.replaceAll('"', '""')}"`;
    const person: Person = {
      key: { channel: i % 4 === 3 ? 'whatsapp' : 'sms', address: e164 },
      language: language.toLowerCase() || 'en',
      variant,
      role,
      name,
    };
    listed.push(person);
    valid.set(i % 4 === 3 ? `whatsapp:${e164}` : e164, person);
    rows.push({
      text: [
        address,
        language,
        variant === 'plain' ? 'plain' : '',
        role ?? '',
        quotedName,
        'Riverside',
      ].join(','),
      person,
    });
    const other = Math.floor(i / 26);
    if (i % 26 === 25 && other < INVALID.length) {
      const [text, reason] = INVALID[other] as readonly [string, RegExp];
      rows.push({ text, reason });
    }
    if (i % 26 === 13) {
      // The same person again, written another way: the first row stands.
      const again = i % 4 === 3 ? `07700 900${digits}` : `whatsapp:${e164}`;
      rows.push({ text: `${again},en,,,,`, reason: /the same person as line \d+/ });
    }
  }
  const rejected = new Map<number, RegExp>();
  rows.forEach((row, index) => {
    if (row.reason !== undefined) rejected.set(index + 2, row.reason);
  });
  return {
    csv: ['address,language,variant,role,name,centre', ...rows.map((row) => row.text)].join('\r\n'),
    valid,
    rejected,
    optedOut: listed.filter((_, i) => i % 20 === 5),
    contactedRecently: listed.filter((_, i) => i % 20 === 11),
    contactedLongAgo: listed.filter((_, i) => i % 20 === 17),
  };
}

function toOf(key: ParticipantKey): string {
  return key.channel === 'whatsapp' ? `whatsapp:${key.address}` : key.address;
}

describe('launching a consultation to a few hundred people', () => {
  const redisEnv = redisTest();
  const time = new FakeClock(START);
  let world: LaunchWorld;
  let sent: SentMessage[];
  let list: People;
  let flow: Flow;
  let planDeps: LaunchPlanDeps;
  let plan: LaunchPlan;
  const queue = new RecordedQueue();

  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect((host) => host.startsWith('127.0.0.1'));
    world = await launchWorld(redisEnv(), time, { LAUNCH_RATE_PER_SECOND: String(RATE) });
    sent = interceptTwilio(() => time.now);
    list = people();
    const found = world.runtime.flows.get(FLOW);
    if (found === undefined) throw new Error(`${FLOW} is not loaded`);
    flow = found;
    const secret = world.config.pseudonymKey;
    for (const [index, person] of list.optedOut.entries()) {
      // Every other one sent STOP on the other channel: it holds for both.
      const channel =
        index % 2 === 0 ? person.key.channel : person.key.channel === 'sms' ? 'whatsapp' : 'sms';
      await world.runtime.store.setOptedOut({ channel, address: person.key.address }, true);
    }
    const capMs = 30 * DAY_MS;
    for (const [earlier, people] of [
      [START - 10 * DAY_MS, list.contactedRecently],
      [START - 40 * DAY_MS, list.contactedLongAgo],
    ] as const) {
      for (const person of people)
        await world.ledger.record(
          'friends-and-family',
          personRef(person.key, secret),
          'earlier',
          earlier,
          capMs,
        );
    }
    planDeps = {
      ledger: world.ledger,
      pacer: world.pacer,
      store: world.runtime.store,
      translate: world.runtime.translate,
      secret,
      twilio: true,
      lookupSlackEmail: undefined,
      clock: time.clock,
    };
    plan = await planLaunch(planDeps, flow, list.csv, { ratePerSecond: RATE, contactCapDays: 30 });
  });
  afterAll(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    await world?.close();
  });

  it('plans: every invalid and repeated row rejected with its line, opted-out and recently contacted people skipped', () => {
    expect(plan.rows).toBe(260 + list.rejected.size);
    expect(plan.rejected.count).toBe(list.rejected.size);
    expect(new Map(plan.rejected.first.map((row) => [row.line, row.reason]))).toEqual(
      new Map([...list.rejected].map(([line, reason]) => [line, expect.stringMatching(reason)])),
    );
    expect(plan.skipped.opted_out.count).toBe(list.optedOut.length);
    expect(plan.skipped.contacted.count).toBe(list.contactedRecently.length);
    expect(plan.skipped.already_invited.count).toBe(0);
    expect(plan.invitations).toBe(260 - list.optedOut.length - list.contactedRecently.length);
    expect(plan.lines.invite.size).toBe(plan.invitations);
    const report = formatLaunchPlan(plan, { pricePerSegment: 0.04, currency: 'GBP' });
    for (const [line] of list.rejected)
      expect(report).toMatch(new RegExp(`^  line ${line}: `, 'm'));
    expect(report).toMatch(/^ {2}opted out \(sent STOP\): 13, lines /m);
    expect(report).toMatch(
      /^ {2}invited by another flow within the contact cap \(30 days\): 13, lines \d+ \(friends-and-family, \w{3} 22 Feb, 19:56\)/m,
    );
    expect(plan.skipped.contacted.first[0]?.contact).toEqual({
      flowId: 'friends-and-family',
      at: START - 10 * DAY_MS,
    });
  });

  it('sends exactly one invitation to exactly the expected people, in their language, variant and role', async () => {
    const outcome = await queueLaunch({ ...planDeps, ledger: world.ledger, queue }, plan);
    expect(outcome).toEqual({ queued: plan.invitations, taken: 0, requeued: 0 });
    expect(queue.adds).toBe(1);
    await runJobs(world.sender, queue.jobs, time);

    const skippedPeople = new Set(
      [...list.optedOut, ...list.contactedRecently].map((p) => toOf(p.key)),
    );
    const expected = [...list.valid.keys()].filter((to) => !skippedPeople.has(to));
    const byRecipient = new Map<string, SentMessage[]>();
    for (const message of sent)
      byRecipient.set(message.to, [...(byRecipient.get(message.to) ?? []), message]);
    expect([...byRecipient.keys()].sort()).toEqual(expected.sort());
    for (const [to, messages] of byRecipient) {
      const person = list.valid.get(to) as Person;
      const text = (key: string): string =>
        world.runtime.translate({
          namespace: FLOW,
          key,
          language: person.language,
          variant: person.variant,
          role: person.role,
          params: { name: person.name, centre: 'Riverside' },
        });
      // One invitation: the welcome, then the first question (who they are), nothing more.
      expect(messages).toHaveLength(2);
      expect(messages[0]?.body).toBe(renderForSms({ type: 'message', text: text('welcome') }));
      expect(
        messages[1]?.body.startsWith(renderForSms({ type: 'message', text: text('role') })),
      ).toBe(true);
    }
    expect(await world.stats.read(FLOW)).toMatchObject({
      invited: expected.length,
      delivered: expected.length,
      failed: 0,
      skipped: 0,
    });
  });

  it('sent nothing in quiet hours: the evening until 20:00, the rest from 09:00 the next day', () => {
    const quiet = flow.quietHours;
    for (const message of sent)
      expect(nextAllowedTime(new Date(message.at), quiet, flow.timezone).getTime()).toBe(
        message.at,
      );
    const evening = sent.filter((m) => m.at < START + 4 * 60_000);
    const morning = sent.filter((m) => m.at >= Date.parse('2030-03-05T09:00:00Z'));
    expect(evening.length).toBeGreaterThan(0);
    expect(morning.length).toBeGreaterThan(0);
    expect(evening.length + morning.length).toBe(sent.length);
  });

  it('kept each sender to the rate: every message waited for the one before it to pay its cost', () => {
    for (const channel of ['sms', 'whatsapp']) {
      const messages = sent
        .filter((m) => m.to.startsWith('whatsapp:') === (channel === 'whatsapp'))
        .sort((a, b) => a.at - b.at);
      expect(messages.length).toBeGreaterThan(10);
      for (let k = 1; k < messages.length; k++) {
        const before = messages[k - 1] as SentMessage;
        const cost = channel === 'sms' ? countSegments(before.body).segments : 1;
        expect((messages[k] as SentMessage).at - before.at).toBeGreaterThanOrEqual(
          spacingMs(cost, RATE),
        );
      }
    }
  });

  it('sends nothing when the same launch runs again, nor when a job runs twice', async () => {
    const before = sent.length;
    const again = await planLaunch(planDeps, flow, list.csv, {
      ratePerSecond: RATE,
      contactCapDays: 30,
    });
    expect(again.launchId).toBe(plan.launchId);
    expect(again.invitations).toBe(0);
    expect(again.skipped.already_invited.count).toBe(plan.invitations);
    expect(again.lines.requeue.size).toBe(0);
    const jobsBefore = queue.jobs.length;
    expect(await queueLaunch({ ...planDeps, ledger: world.ledger, queue }, again)).toEqual({
      queued: 0,
      taken: 0,
      requeued: 0,
    });
    expect(queue.jobs).toHaveLength(jobsBefore);
    // A job delivered twice (BullMQ recovering a stalled job) finds the invitation done.
    await runJobs(world.sender, queue.jobs, time);
    expect(sent).toHaveLength(before);
    expect((await world.stats.read(FLOW)).invited).toBe(plan.invitations);
  });

  it('refuses an inbound-only flow', async () => {
    await expect(
      planLaunch(planDeps, { ...flow, inboundOnly: true }, list.csv, {
        ratePerSecond: RATE,
        contactCapDays: 30,
      }),
    ).rejects.toThrow(/inbound-only .* texting DAYCENTRE or CANOLFAN or OSRODEK/);
  });
});
