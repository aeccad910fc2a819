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

/** The conversation service on the embedded parts, with time that moves only when told. */
function setup(startIso: string) {
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
  const recording: JobQueue = {
    schedule: (job) => (scheduled.push(job), jobs.schedule(job)),
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
  jobs.start((job) => service.runJob(job));
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

  it.each(['reply first', 'expiry first'])(
    'a reply and an expiry at the same moment give one outcome (%s)',
    async (order) => {
      const { time, store, service, scheduled } = setup('2026-11-26T10:00:00Z');
      await service.receive(person, text('DAYCENTRE'), 'm1');
      const expiry = scheduled.findLast((job) => job.type === 'expiry') as SessionJob;
      await time.advance(expiry.runAt - time.now() - 1);
      // The expiry job and a reply race for the participant's turn.
      const reply = (): Promise<unknown> => service.receive(person, text('1'), 'm2');
      const expire = (): Promise<unknown> => service.runJob(expiry);
      await Promise.all(order === 'reply first' ? [reply(), expire()] : [expire(), reply()]);
      const current = await store.load(person);
      const history = await store.history(person);
      if (order === 'reply first') {
        expect(current?.status).toBe('active');
        expect(current?.answers['role']).toMatchObject({ value: 'service_user' });
        expect(history).toEqual([]);
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
});
