import { describe, expect, it } from 'vitest';
import type { OutboundSender } from '../src/channels/outbound.js';
import { ConversationService } from '../src/conversation/service.js';
import { SessionTimers } from '../src/conversation/session-timers.js';
import type { Reply } from '../src/engine/types.js';
import type { JobQueue, SessionJob } from '../src/jobs/job-queue.js';
import { MemoryJobQueue } from '../src/jobs/memory-job-queue.js';
import { createLogger } from '../src/logger.js';
import { MemoryParticipantQueue } from '../src/store/memory-participant-queue.js';
import { MemorySessionStore } from '../src/store/memory-session-store.js';
import type { ParticipantKey } from '../src/store/session-store.js';
import { shippedContent } from './helpers/content.js';
import { FakeTimers } from './helpers/fake-timers.js';

const { flows, translate } = shippedContent();
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const person: ParticipantKey = { channel: 'sms', address: '+447700900123' };
const text = (value: string) => ({ type: 'text' as const, text: value });

/**
 * The conversation service on the embedded parts, with time that moves only when told. With
 * `runJobs: false` the timers are recorded but never run, so a test runs them when it chooses.
 */
function setup(startIso: string, { runJobs = true, queueDownFor = 0 } = {}) {
  const time = new FakeTimers(Date.parse(startIso));
  const clock = (): Date => new Date(time.now());
  const sent: { key: ParticipantKey; replies: readonly Reply[]; at: string }[] = [];
  const sms: OutboundSender = {
    send: async (key, replies) => {
      sent.push({ key, replies, at: clock().toISOString() });
    },
  };
  const jobs = new MemoryJobQueue<number>({ onFailure: () => undefined, timers: time });
  const store = new MemorySessionStore(clock);
  const scheduled: SessionJob[] = [];
  // Records what is scheduled, so a test can run a job at the moment it chooses.
  // `queueDownFor`: that many schedule calls fail first, as when the job queue is unreachable.
  let refusals = queueDownFor;
  const recording: JobQueue = {
    schedule: (job) =>
      refusals-- > 0
        ? Promise.reject(new Error('job queue unreachable'))
        : (scheduled.push(job), jobs.schedule(job)),
    start: () => undefined,
    close: () => jobs.close(),
  };
  const senders = { sms };
  const service = new ConversationService({
    flows,
    store,
    queue: new MemoryParticipantQueue(),
    timers: new SessionTimers({ jobs: recording, senders, refOf: () => 'ref', clock }),
    senders,
    translate,
    clock,
    logger: createLogger('silent'),
    refOf: () => 'ref',
  });
  if (runJobs) jobs.start((job) => service.runJob(job));
  return { time, sent, store, service, scheduled, jobs };
}

describe('reminders, quiet hours and expiry', () => {
  it('reminds after the flow delay, moved out of quiet hours, with the question again', async () => {
    // 21:30 in London (GMT in November): two days later is inside 20:00-09:00.
    const { time, sent, service } = setup('2026-11-26T21:30:00Z');
    await service.receive(person, text('DAYCENTRE'), 'm1');
    await service.receive(person, text('2'), 'm2');
    await time.advance(2 * DAY);
    expect(sent).toEqual([]);
    await time.advance(11.5 * HOUR - 1);
    expect(sent).toEqual([]);
    await time.advance(1);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.at).toBe('2026-11-29T09:00:00.000Z');
    const [nudge, question] = sent[0]?.replies ?? [];
    expect(nudge).toEqual({ type: 'message', text: expect.stringContaining('Just a reminder') });
    expect(question).toMatchObject({ type: 'question', stepId: 'story' });
  });

  it('sends no reminder once the person has answered, and none after STOP', async () => {
    const { time, sent, service } = setup('2026-11-26T10:00:00Z');
    await service.receive(person, text('DAYCENTRE'), 'm1');
    await time.advance(1 * DAY);
    await service.receive(person, text('1'), 'm2');
    await time.advance(1.5 * DAY);
    expect(sent).toEqual([]); // the first reminder was due at +2 d, but the person answered at +1 d
    await time.advance(1 * DAY);
    expect(sent).toHaveLength(1); // +2 d after the answer
    await service.receive(person, text('STOP'), 'm3');
    await time.advance(20 * DAY);
    expect(sent).toHaveLength(1);
  });

  it('expires a silent session, keeps its answers, and lets a keyword start afresh', async () => {
    const { time, store, service } = setup('2026-11-26T10:00:00Z');
    await service.receive(person, text('DAYCENTRE'), 'm1');
    await service.receive(person, text('2'), 'm2');
    await time.advance(14 * DAY);
    const [expired] = await store.history(person);
    expect(expired?.status).toBe('expired');
    expect(expired?.answers['role']).toMatchObject({ status: 'answered', value: 'carer' });
    const again = await service.receive(person, text('daycentre'), 'm3');
    expect(again.status).toBe('active');
    expect((await store.load(person))?.answers).toEqual({});
    expect((await store.history(person))[0]?.status).toBe('expired');
  });

  it('sets the timers when a session opens, not on each message', async () => {
    const { service, scheduled } = setup('2026-11-26T10:00:00Z');
    await service.receive(person, text('DAYCENTRE'), 'm1');
    expect(scheduled.map((job) => job.type)).toEqual(['expiry', 'reminder']);
    await service.receive(person, text('1'), 'm2');
    await service.receive(person, text('It gives me a break.'), 'm3');
    expect(scheduled).toHaveLength(2);
    expect(JSON.stringify(scheduled.map((job) => job.id))).not.toContain('447700900123');
  });

  it('expires a session its expiry after the last message: the timer goes again until then', async () => {
    const { time, store, service } = setup('2026-11-26T10:00:00Z');
    await service.receive(person, text('DAYCENTRE'), 'm1');
    await time.advance(5 * DAY);
    await service.receive(person, text('1'), 'm2');
    await time.advance(14 * DAY - 1);
    expect((await store.load(person))?.status).toBe('active');
    await time.advance(1);
    const [expired] = await store.history(person);
    expect(expired).toMatchObject({ status: 'expired', updatedAt: '2026-12-15T10:00:00.000Z' });
  });

  it('reminds once per silence: again only after the person has written and gone quiet again', async () => {
    const { time, sent, service } = setup('2026-11-26T10:00:00Z');
    await service.receive(person, text('DAYCENTRE'), 'm1');
    await time.advance(2 * DAY);
    expect(sent.map((s) => s.at)).toEqual(['2026-11-28T10:00:00.000Z']);
    await time.advance(3 * DAY);
    expect(sent).toHaveLength(1);
    await service.receive(person, text('1'), 'm2');
    await time.advance(2 * DAY);
    expect(sent.map((s) => s.at)).toEqual(['2026-11-28T10:00:00.000Z', '2026-12-03T10:00:00.000Z']);
  });

  it('sets a reminder again from the last message, out of quiet hours across the clock change', async () => {
    // 13:00 in London (BST); the clocks go back to GMT early on Sunday 25 October.
    const { time, sent, service } = setup('2026-10-22T12:00:00Z');
    await service.receive(person, text('DAYCENTRE'), 'm1');
    await time.advance(1 * DAY + 8.5 * HOUR); // Friday 21:30 BST
    await service.receive(person, text('1'), 'm2');
    // Two days on is Sunday 20:30 GMT, inside 20:00-09:00: held until Monday 09:00 GMT.
    await time.advance(5 * DAY);
    expect(sent.map((s) => s.at)).toEqual(['2026-10-26T09:00:00.000Z']);
  });

  it('sends no reminder to someone marked opted out while their session waits', async () => {
    const { time, sent, service, store } = setup('2026-11-26T10:00:00Z');
    await service.receive(person, text('DAYCENTRE'), 'm1');
    // As when Twilio reports the number has opted out at the carrier.
    await store.setOptedOut(person, true);
    await time.advance(13 * DAY);
    expect(sent).toEqual([]);
  });

  it.each([
    ['the reply first, a moment before the expiry', 'reply', -1, 'answered'],
    ['the expiry job first, a moment before the expiry', 'job', -1, 'answered'],
    ['the reply first, at the expiry', 'reply', 0, 'expired'],
    ['the expiry job first, at the expiry', 'job', 0, 'expired'],
  ] as const)(
    'a reply and the expiry job racing give one outcome (%s)',
    async (_, first, offsetMs, outcome) => {
      const { time, store, service, scheduled } = setup('2026-11-26T10:00:00Z', {
        runJobs: false,
      });
      await service.receive(person, text('DAYCENTRE'), 'm1');
      const expiry = scheduled.find((job) => job.type === 'expiry') as SessionJob;
      await time.advance(expiry.runAt + offsetMs - time.now());
      // The expiry job and a reply race for the participant's turn.
      const reply = (): Promise<unknown> => service.receive(person, text('1'), 'm2');
      const expire = (): Promise<unknown> => service.runJob(expiry);
      await Promise.all(first === 'reply' ? [reply(), expire()] : [expire(), reply()]);
      const current = await store.load(person);
      const history = await store.history(person);
      if (outcome === 'answered') {
        expect(current?.status).toBe('active');
        expect(current?.answers['role']).toMatchObject({ value: 'service_user' });
        expect(history).toEqual([]);
        // The job found the session moved on (or not yet due) and set itself again.
        expect(scheduled.filter((job) => job.type === 'expiry')).toHaveLength(2);
      } else {
        expect(history.map((s) => s.status)).toEqual(['expired']);
        expect(history[0]?.answers).toEqual({});
      }
    },
  );

  it('drops a provider retry of a message already handled', async () => {
    const { service, store } = setup('2026-11-26T10:00:00Z');
    await service.receive(person, text('DAYCENTRE'), 'SM1');
    const first = await service.receive(person, text('2'), 'SM2');
    const retry = await service.receive(person, text('2'), 'SM2');
    expect(first.duplicate).toBe(false);
    expect(retry).toMatchObject({ duplicate: true, replies: [] });
    expect((await store.load(person))?.stepId).toBe('story');
  });

  it('after STOP on one flow, stays silent on every flow until START', async () => {
    const { service, store } = setup('2026-11-26T10:00:00Z');
    await service.receive(person, text('DAYCENTRE'), 'a');
    const stopped = await service.receive(person, text('stop'), 'b');
    expect(stopped.status).toBe('opted_out');
    expect(await store.isOptedOut(person)).toBe(true);
    expect(await service.receive(person, text('FFT'), 'c')).toMatchObject({
      status: 'opted_out',
      replies: [],
    });
    const back = await service.receive(person, text('START'), 'd');
    expect(back.replies).toEqual([
      { type: 'message', text: expect.stringContaining('messages from us again') },
    ]);
    expect((await service.receive(person, text('FFT'), 'e')).status).toBe('active');
  });

  it('takes STOP from someone with no conversation under way', async () => {
    const { service, store } = setup('2026-11-26T10:00:00Z');
    const stopped = await service.receive(person, text('STOP'), 'a');
    expect(stopped.replies).toHaveLength(1);
    expect(await store.isOptedOut(person)).toBe(true);
    expect((await service.receive(person, text('DAYCENTRE'), 'b')).status).toBe('opted_out');
  });

  it('starts a flow in the language its keyword names', async () => {
    const { service, store } = setup('2026-11-26T10:00:00Z');
    const started = await service.receive(person, text('canolfan'), 'a');
    expect(started.status).toBe('active');
    expect((await store.load(person))?.language).toBe('cy');
    const [welcome] = started.replies;
    expect(welcome?.type === 'message' && welcome.text).toMatch(/^Helo/);
  });

  it('sets the timers at the next message when the job queue was down as the session opened', async () => {
    const { time, service, store, scheduled } = setup('2026-11-26T10:00:00Z', { queueDownFor: 2 });
    await service.receive(person, text('DAYCENTRE'), 'm1');
    expect(scheduled).toEqual([]);
    expect((await store.load(person))?.timersPending).toBe(true);
    await service.receive(person, text('2'), 'm2');
    expect(scheduled.map((job) => job.type).sort()).toEqual(['expiry', 'reminder']);
    expect((await store.load(person))?.timersPending).toBeUndefined();
    await time.advance(30 * DAY);
    expect((await store.history(person))[0]?.status).toBe('expired');
  });
});
