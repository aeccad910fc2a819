import { describe, expect, it } from 'vitest';
import { ConversationService } from '../src/conversation/service.js';
import { SessionTimers } from '../src/conversation/session-timers.js';
import type { JobQueue, SessionJob } from '../src/jobs/job-queue.js';
import { MemoryJobQueue } from '../src/jobs/memory-job-queue.js';
import { createLogger } from '../src/logger.js';
import type { ResponseRecord } from '../src/responses/record.js';
import { MemoryParticipantQueue } from '../src/store/memory-participant-queue.js';
import { MemorySessionStore } from '../src/store/memory-session-store.js';
import { participantRef } from '../src/store/participant-ref.js';
import type { ParticipantKey } from '../src/store/session-store.js';
import { shippedContent } from './helpers/content.js';
import { FakeTimers } from './helpers/fake-timers.js';

const { flows, translate } = shippedContent();
const DAY = 86_400_000;
const SECRET = 'records-test-pseudonym-key-0000001';
const text = (value: string) => ({ type: 'text' as const, text: value });

function setup() {
  const time = new FakeTimers(Date.parse('2026-11-26T10:00:00Z'));
  const clock = (): Date => new Date(time.now());
  const store = new MemorySessionStore(clock);
  const jobs = new MemoryJobQueue<number>({ onFailure: () => undefined, timers: time });
  const scheduled: SessionJob[] = [];
  const recording: JobQueue = {
    schedule: (job) => (scheduled.push(job), jobs.schedule(job)),
    start: () => undefined,
    close: () => jobs.close(),
  };
  let ids = 0;
  const refOf = (key: ParticipantKey): string => participantRef(key, SECRET);
  const service = new ConversationService({
    flows,
    store,
    queue: new MemoryParticipantQueue(),
    timers: new SessionTimers({ jobs: recording, senders: {}, refOf, clock }),
    senders: {},
    translate,
    clock,
    logger: createLogger('silent'),
    refOf,
    newId: () => `rec-${++ids}`,
  });
  jobs.start((job) => service.runJob(job));
  const records = async (flowId: string): Promise<ResponseRecord[]> => {
    const out: ResponseRecord[] = [];
    for await (const record of store.responses.list(flowId)) out.push(record);
    return out;
  };
  return { time, store, service, records, refOf };
}

const person: ParticipantKey = { channel: 'sms', address: '+447700900123' };

describe('response records', () => {
  it('writes one record when a conversation completes, naming the respondent only by pseudonym', async () => {
    const { service, records, refOf, store } = setup();
    for (const [i, reply] of ['FFT', '4', 'Kind staff', 'Shorter waits'].entries()) {
      await service.receive(person, text(reply), `SM${i}`);
    }
    const [record, ...more] = await records('friends-and-family');
    expect(more).toEqual([]);
    expect(record).toMatchObject({
      id: 'rec-1',
      flowId: 'friends-and-family',
      flowVersion: flows.get('friends-and-family')?.version,
      respondent: refOf(person),
      channel: 'sms',
      language: 'en',
      variant: 'standard',
      role: null,
      status: 'completed',
      startedAt: '2026-11-26T10:00:00.000Z',
      endedAt: '2026-11-26T10:00:00.000Z',
    });
    expect(record?.answers).toEqual({
      experience: { status: 'answered', value: 4, at: '2026-11-26T10:00:00.000Z' },
      why: { status: 'answered', value: 'Kind staff', at: '2026-11-26T10:00:00.000Z' },
      improve: { status: 'answered', value: 'Shorter waits', at: '2026-11-26T10:00:00.000Z' },
    });
    expect(JSON.stringify(record)).not.toContain('7700900123');
    const counts = await store.stats.read('friends-and-family');
    expect([counts.started, counts.completed]).toEqual([1, 1]);
    // A retry of the last message writes nothing more.
    await service.receive(person, text('Shorter waits'), 'SM3');
    expect((await records('friends-and-family')).length).toBe(1);
  });

  it('keeps a partial response when the flow wants one and the session expires', async () => {
    const { time, service, records, store } = setup();
    await service.receive(person, text('FFT'), 'SM1');
    await service.receive(person, text('2'), 'SM2');
    await time.advance(4 * DAY);
    const [record] = await records('friends-and-family');
    expect(record?.status).toBe('partial');
    expect(Object.keys(record?.answers ?? {})).toEqual(['experience']);
    expect((await store.stats.read('friends-and-family')).expired).toBe(1);
  });

  it('keeps nothing for a session that expires unanswered or ends by STOP', async () => {
    const { time, service, records, store } = setup();
    await service.receive(person, text('FFT'), 'SM1');
    await time.advance(4 * DAY);
    const other: ParticipantKey = { channel: 'sms', address: '+447700900999' };
    await service.receive(other, text('FFT'), 'SM2');
    await service.receive(other, text('3'), 'SM3');
    await service.receive(other, text('STOP'), 'SM4');
    expect(await records('friends-and-family')).toEqual([]);
    const counts = await store.stats.read('friends-and-family');
    expect([counts.started, counts.expired, counts.opted_out]).toEqual([2, 1, 1]);
  });

  it('keeps no partial response for a flow that does not ask for one', async () => {
    const { time, service, records } = setup();
    await service.receive(person, text('DAYCENTRE'), 'SM1');
    await service.receive(person, text('1'), 'SM2');
    await time.advance(30 * DAY);
    expect(await records('day-centre-weekends')).toEqual([]);
  });

  it('counts a person as started at their first reply, not when an invitation opens the session', async () => {
    const { service, store } = setup();
    await service.start(person, 'friends-and-family');
    const other: ParticipantKey = { channel: 'sms', address: '+447700900555' };
    await service.start(other, 'friends-and-family');
    expect((await store.stats.read('friends-and-family')).started).toBe(0);
    await service.receive(person, text('5'), 'SM1');
    await service.receive(person, text('Helpful'), 'SM2');
    const counts = await store.stats.read('friends-and-family');
    expect(counts.started).toBe(1);
    expect((await store.load(person))?.repliedAt).toBe('2026-11-26T10:00:00.000Z');
  });
});
