import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BullJobQueue } from '../src/jobs/bullmq-job-queue.js';
import type { SessionJob } from '../src/jobs/job-queue.js';
import { MemoryJobQueue } from '../src/jobs/memory-job-queue.js';
import { FakeTimers, settle } from './helpers/fake-timers.js';
import { redisTest } from './helpers/redis-server.js';

const START = Date.UTC(2026, 0, 15, 12);

/** The `n`th timer set in a participant's reminder slot. */
function reminder(n: number, runAt: number): SessionJob {
  return {
    id: `ref.reminder0.${n}`,
    slot: 'ref.reminder0',
    type: 'reminder',
    reminder: 0,
    key: { channel: 'sms', address: '+447700900123' },
    flowId: 'day-centre-weekends',
    startedAt: '2026-01-15T11:00:00.000Z',
    runAt,
  };
}

/** Which of `reminder`'s timers a job is. */
const nth = (job: SessionJob): number => Number(job.id.split('.').at(-1));

describe('MemoryJobQueue slots', () => {
  it('drops the waiting job of a slot when the next one is scheduled', async () => {
    const timers = new FakeTimers(START);
    const queue = new MemoryJobQueue({ timers, onFailure: () => undefined });
    const ran: number[] = [];
    queue.start(async (job) => void ran.push(nth(job)));
    await queue.schedule(reminder(1, START + 1000));
    await queue.schedule(reminder(2, START + 5000));
    await timers.advance(10_000);
    expect(ran).toEqual([2]);
    expect(timers.pending).toBe(0);
  });

  it('lets a running job of the slot finish and still runs the next one', async () => {
    const timers = new FakeTimers(START);
    const queue = new MemoryJobQueue({ timers, onFailure: () => undefined });
    const ran: number[] = [];
    let release = (): void => undefined;
    queue.start(async (job) => {
      ran.push(nth(job));
      if (nth(job) === 1) await new Promise<void>((resolve) => (release = resolve));
    });
    await queue.schedule(reminder(1, START + 1000));
    await timers.advance(1000);
    await queue.schedule(reminder(2, START + 2000));
    release();
    await settle();
    await timers.advance(1000);
    expect(ran).toEqual([1, 2]);
  });
});

describe('BullJobQueue slots', () => {
  const redisEnv = redisTest();
  let url: string;
  let prefix: string;
  let inspectorRedis: Redis;
  const open: (BullJobQueue | Queue)[] = [];
  const errors: Error[] = [];
  let queueCount = 0;

  beforeAll(() => {
    const env = redisEnv();
    url = env.url;
    // Without the trailing ':': BullMQ adds its own separator.
    prefix = env.prefix.replace(/:$/, '');
    inspectorRedis = new Redis(url, { maxRetriesPerRequest: null });
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((queue) => queue.close()));
    expect(errors).toEqual([]);
  });

  afterAll(async () => {
    if (inspectorRedis === undefined) return;
    // Only this file's keys: the Redis may be shared, so no FLUSH.
    const keys = await inspectorRedis.keys(`${prefix}:*`);
    if (keys.length > 0) await inspectorRedis.del(...keys);
    await inspectorRedis.quit();
  });

  /** Polls BullMQ's real timers: bounded, and asserting no timing figures. */
  async function eventually(check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the job queue');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  function queues(): { queue: BullJobQueue; inspector: Queue } {
    queueCount += 1;
    const queueName = `slots-test-${queueCount}`;
    const queue = new BullJobQueue({
      connection: { url },
      prefix,
      queueName,
      concurrency: 1,
      onFailure: () => undefined,
      onError: (error) => errors.push(error),
    });
    const inspector = new Queue(queueName, { connection: inspectorRedis, prefix });
    open.push(queue, inspector);
    return { queue, inspector };
  }

  it('removes the delayed job of a slot, data and all, when the next one is scheduled', async () => {
    const { queue, inspector } = queues();
    const later = Date.now() + 3600_000;
    await queue.schedule(reminder(1, later));
    await queue.schedule(reminder(2, later));
    await queue.schedule(reminder(3, later));
    expect(await inspector.getJob('ref.reminder0.1')).toBeUndefined();
    expect(await inspector.getJob('ref.reminder0.2')).toBeUndefined();
    expect(await inspector.getJobState('ref.reminder0.3')).toBe('delayed');
    expect(await inspector.getDelayedCount()).toBe(1);
  });

  it('runs the timer a running job sets again in its own slot, once that job has finished', async () => {
    const { queue, inspector } = queues();
    const ran: number[] = [];
    queue.start(async (job) => {
      ran.push(nth(job));
      // A timer that fired early sets itself again, as SessionTimers does.
      if (nth(job) === 1) await queue.schedule(reminder(2, Date.now() + 50));
    });
    await queue.schedule(reminder(1, Date.now()));
    await eventually(async () => (await inspector.getJobState('ref.reminder0.2')) === 'completed');
    expect(ran).toEqual([1, 2]);
    expect(await inspector.getJobState('ref.reminder0.1')).toBe('completed');
  });

  it('still ignores an id scheduled again', async () => {
    const { queue, inspector } = queues();
    const later = Date.now() + 3600_000;
    await queue.schedule(reminder(1, later));
    await queue.schedule({ ...reminder(1, later + 1000), flowId: 'friends-and-family' });
    expect((await inspector.getJob('ref.reminder0.1'))?.data).toMatchObject({
      flowId: 'day-centre-weekends',
    });
    expect(await inspector.getDelayedCount()).toBe(1);
  });
});
