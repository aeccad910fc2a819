import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BullJobQueue } from '../src/jobs/bullmq-job-queue.js';
import type { JobHandler, ReminderJob, SessionJob } from '../src/jobs/job-queue.js';
import { MemoryJobQueue } from '../src/jobs/memory-job-queue.js';
import { FakeTimers, settle } from './helpers/fake-timers.js';
import { redisTest } from './helpers/redis-server.js';

const START = Date.UTC(2026, 0, 15, 12);

/** A reminder timer; `reminder` tells apart jobs scheduled under one id. */
function sessionJob(id: string, runAt: number, reminder = 1): ReminderJob {
  return {
    id,
    type: 'reminder',
    reminder,
    key: { channel: 'sms', address: '+447700900123' },
    flowId: 'day-centre-weekends',
    startedAt: '2026-01-15T11:00:00.000Z',
    runAt,
  };
}

describe('MemoryJobQueue', () => {
  function setup(handler?: JobHandler): {
    timers: FakeTimers;
    queue: MemoryJobQueue<number>;
    ran: SessionJob[];
    failures: { job: SessionJob; error: unknown }[];
  } {
    const timers = new FakeTimers(START);
    const ran: SessionJob[] = [];
    const failures: { job: SessionJob; error: unknown }[] = [];
    const queue = new MemoryJobQueue({
      timers,
      onFailure: (job, error) => failures.push({ job, error }),
    });
    queue.start(
      handler ??
        (async (job) => {
          ran.push(job);
        }),
    );
    return { timers, queue, ran, failures };
  }

  it('runs a job at its due time and not before', async () => {
    const { timers, queue, ran } = setup();
    await queue.schedule(sessionJob('a', START + 60_000));
    await timers.advance(59_999);
    expect(ran).toEqual([]);
    await timers.advance(1);
    expect(ran).toEqual([sessionJob('a', START + 60_000)]);
    await timers.advance(3600_000);
    expect(ran).toHaveLength(1);
  });

  it('keeps the first job when an id is scheduled again, even after it ran', async () => {
    const { timers, queue, ran } = setup();
    await queue.schedule(sessionJob('a', START + 1000, 1));
    await queue.schedule(sessionJob('a', START + 5000, 2));
    await timers.advance(10_000);
    expect(ran.map((job) => job.type === 'reminder' && job.reminder)).toEqual([1]);
    await queue.schedule(sessionJob('a', START + 20_000, 3));
    await timers.advance(20_000);
    expect(ran).toHaveLength(1);
  });

  it('runs a job due in the past at once', async () => {
    const { queue, ran } = setup();
    await queue.schedule(sessionJob('late', START - 5000));
    await settle();
    expect(ran.map((job) => job.id)).toEqual(['late']);
  });

  it('holds jobs scheduled before start until it starts', async () => {
    const timers = new FakeTimers(START);
    const ran: string[] = [];
    const queue = new MemoryJobQueue({ timers, onFailure: () => undefined });
    await queue.schedule(sessionJob('due', START));
    await queue.schedule(sessionJob('later', START + 1000));
    await timers.advance(500);
    expect(ran).toEqual([]);
    queue.start(async (job) => {
      ran.push(job.id);
    });
    await settle();
    expect(ran).toEqual(['due']);
    await timers.advance(500);
    expect(ran).toEqual(['due', 'later']);
  });

  it('retries a failing job after 5 s, 30 s, 5 min and 5 min, then reports it once', async () => {
    const attempts: number[] = [];
    const { timers, queue, failures } = setup(async () => {
      attempts.push(timers.now() - START);
      throw new Error('provider down');
    });
    await queue.schedule(sessionJob('flaky', START + 1000));
    const expected = [1000, 6_000, 36_000, 336_000, 636_000];
    for (const [index, at] of expected.entries()) {
      await timers.advance(at - (timers.now() - START) - 1);
      expect(attempts).toHaveLength(index);
      await timers.advance(1);
      expect(attempts).toEqual(expected.slice(0, index + 1));
    }
    expect(failures).toHaveLength(1);
    expect(failures[0]?.job.id).toBe('flaky');
    expect(failures[0]?.error).toEqual(new Error('provider down'));
    await timers.advance(24 * 3600_000);
    expect(attempts).toHaveLength(5);
    expect(timers.pending).toBe(0);
  });

  it('stops retrying once a retry succeeds', async () => {
    let calls = 0;
    const { timers, queue, failures } = setup(async () => {
      calls += 1;
      if (calls === 1) throw new Error('once');
    });
    await queue.schedule(sessionJob('b', START + 1000));
    await timers.advance(1000);
    expect(calls).toBe(1);
    await timers.advance(5000);
    expect(calls).toBe(2);
    await timers.advance(3600_000);
    expect(calls).toBe(2);
    expect(failures).toEqual([]);
  });

  it('close cancels pending timers and refuses new jobs', async () => {
    const { timers, queue, ran } = setup();
    await queue.schedule(sessionJob('a', START + 3600_000));
    expect(timers.pending).toBe(1);
    await queue.close();
    expect(timers.pending).toBe(0);
    await timers.advance(2 * 3600_000);
    expect(ran).toEqual([]);
    await expect(queue.schedule(sessionJob('b', START))).rejects.toMatchObject({
      code: 'job_queue_closed',
    });
  });

  it('close waits for a running handler and does not retry it', async () => {
    let release: () => void = () => undefined;
    let calls = 0;
    const { timers, queue, failures } = setup(async () => {
      calls += 1;
      await new Promise<void>((resolve) => (release = resolve));
      throw new Error('interrupted');
    });
    await queue.schedule(sessionJob('slow', START));
    await settle();
    expect(calls).toBe(1);
    let closed = false;
    const closing = queue.close().then(() => (closed = true));
    await settle();
    expect(closed).toBe(false);
    release();
    await closing;
    expect(closed).toBe(true);
    await timers.advance(3600_000);
    expect(calls).toBe(1);
    expect(failures).toEqual([]);
  });
});

describe('BullJobQueue', () => {
  const redisEnv = redisTest();
  let url: string;
  let prefix: string;
  let inspector: Queue;
  let inspectorRedis: Redis;
  const open: BullJobQueue[] = [];
  const errors: Error[] = [];
  let queueCount = 0;
  let queueName = '';

  beforeAll(() => {
    const env = redisEnv();
    url = env.url;
    // Without the trailing ':': BullMQ adds its own separator.
    prefix = env.prefix.replace(/:$/, '');
    inspectorRedis = new Redis(url, { maxRetriesPerRequest: null });
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((queue) => queue.close()));
    await inspector?.close();
    expect(errors).toEqual([]);
  });

  afterAll(async () => {
    if (inspectorRedis === undefined) return;
    // Only this file's keys: the Redis may be shared, so no FLUSH.
    const keys = await inspectorRedis.keys(`${prefix}:*`);
    if (keys.length > 0) await inspectorRedis.del(...keys);
    await inspectorRedis.quit();
  });

  /** A fresh queue name for each test, and a plain BullMQ handle on it to look at job states. */
  function nextQueueName(): string {
    queueCount += 1;
    queueName = `jobs-test-${queueCount}`;
    inspector = new Queue(queueName, { connection: inspectorRedis, prefix });
    return queueName;
  }

  function bullQueue(
    options: {
      onFailure?: (job: SessionJob, error: unknown) => void;
      now?: () => number;
      attempts?: number;
    } = {},
  ): BullJobQueue {
    const queue = new BullJobQueue({
      connection: { url },
      prefix,
      queueName,
      concurrency: 5,
      onFailure: options.onFailure ?? (() => undefined),
      onError: (error) => errors.push(error),
      backoffDelayMs: 20,
      ...(options.now === undefined ? {} : { now: options.now }),
      ...(options.attempts === undefined ? {} : { attempts: options.attempts }),
    });
    open.push(queue);
    return queue;
  }

  /** Polls BullMQ's real timers: bounded, and asserting no timing figures. */
  async function eventually(check: () => boolean | Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the job queue');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async function stateOf(id: string): Promise<string> {
    return inspector.getJobState(id);
  }

  it('runs a job scheduled in the past once', async () => {
    nextQueueName();
    const queue = bullQueue();
    const ran: SessionJob[] = [];
    queue.start(async (job) => {
      ran.push(job);
    });
    const job = sessionJob('past', Date.now() - 60_000);
    await queue.schedule(job);
    await eventually(async () => (await stateOf('past')) === 'completed');
    expect(ran).toEqual([job]);
  });

  it('stores only the SessionJob fields as job data', async () => {
    nextQueueName();
    const queue = bullQueue();
    const job = sessionJob('fields', Date.now() + 3600_000);
    const withExtra: SessionJob & { note: string } = { ...job, note: 'not for Redis' };
    await queue.schedule(withExtra);
    const stored = await inspector.getJob('fields');
    expect(stored?.data).toEqual(job);
    expect(stored?.name).toBe('reminder');
  });

  it('hands an expiry and a reminder sent once to the handler as they were scheduled', async () => {
    nextQueueName();
    const queue = bullQueue();
    const ran: SessionJob[] = [];
    queue.start(async (job) => {
      ran.push(job);
    });
    const { key, flowId, startedAt } = sessionJob('-', 0);
    const expiry: SessionJob = {
      id: 'an-expiry',
      type: 'expiry',
      key,
      flowId,
      startedAt,
      runAt: Date.now(),
    };
    const reminded: SessionJob = {
      ...sessionJob('reminded', Date.now(), 0),
      remindedFor: '2026-01-15T11:30:00.000Z',
    };
    await queue.schedule(expiry);
    await queue.schedule(reminded);
    await eventually(() => ran.length === 2);
    expect(ran.find((job) => job.id === 'an-expiry')).toEqual(expiry);
    expect(ran.find((job) => job.id === 'reminded')).toEqual(reminded);
  });

  it('refuses, without running it, a timer of the releases that named a revision', async () => {
    nextQueueName();
    const queue = bullQueue();
    const ran: string[] = [];
    queue.start(async (job) => {
      ran.push(job.id);
    });
    const earlier = {
      id: 'by-revision',
      type: 'reminder',
      key: { channel: 'sms', address: '+447700900123' },
      flowId: 'day-centre-weekends',
      revision: 4,
      runAt: Date.now(),
    };
    await inspector.add('reminder', earlier, { jobId: 'by-revision' });
    await eventually(async () => (await stateOf('by-revision')) === 'failed');
    expect(ran).toEqual([]);
    expect(errors.splice(0).map((error) => (error as { code?: string }).code)).toEqual([
      'invalid_job_data',
    ]);
  });

  it('runs an id scheduled twice once, keeping the first', async () => {
    nextQueueName();
    const queue = bullQueue();
    const ran: SessionJob[] = [];
    await queue.schedule(sessionJob('twice', Date.now(), 1));
    await queue.schedule(sessionJob('twice', Date.now(), 2));
    queue.start(async (job) => {
      ran.push(job);
    });
    await eventually(async () => (await stateOf('twice')) === 'completed');
    await queue.schedule(sessionJob('twice', Date.now(), 3));
    expect(await stateOf('twice')).toBe('completed');
    expect(ran.map((job) => job.type === 'reminder' && job.reminder)).toEqual([1]);
  });

  it('runs 50 jobs exactly once each across two instances sharing the queue', async () => {
    nextQueueName();
    const instances = [bullQueue(), bullQueue()];
    const runs = new Map<string, number>();
    for (const instance of instances) {
      instance.start(async (job) => {
        runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
        await new Promise<void>((resolve) => setImmediate(resolve));
      });
    }
    const ids = Array.from({ length: 50 }, (_, i) => `many-${i}`);
    await Promise.all(
      ids.map((id, i) => instances[i % 2]?.schedule(sessionJob(id, Date.now() + (i % 5) * 20))),
    );
    await eventually(async () => (await inspector.getJobCounts('completed')).completed === 50);
    expect([...runs.keys()].sort()).toEqual([...ids].sort());
    expect([...runs.values()].every((count) => count === 1)).toBe(true);
  });

  it('retries a handler that throws once, and it then succeeds', async () => {
    nextQueueName();
    const failures: string[] = [];
    const queue = bullQueue({ onFailure: (job) => failures.push(job.id) });
    let calls = 0;
    queue.start(async () => {
      calls += 1;
      if (calls === 1) throw new Error('provider blip');
    });
    await queue.schedule(sessionJob('retry', Date.now()));
    await eventually(async () => (await stateOf('retry')) === 'completed');
    expect(calls).toBe(2);
    expect(failures).toEqual([]);
  });

  it('reports a job that fails every attempt to onFailure once', async () => {
    nextQueueName();
    const failures: { id: string; error: unknown }[] = [];
    const queue = bullQueue({
      attempts: 3,
      onFailure: (job, error) => failures.push({ id: job.id, error }),
    });
    let calls = 0;
    queue.start(async () => {
      calls += 1;
      throw new Error('always');
    });
    await queue.schedule(sessionJob('doomed', Date.now()));
    await eventually(() => failures.length > 0);
    expect(await stateOf('doomed')).toBe('failed');
    expect(calls).toBe(3);
    expect(failures).toEqual([{ id: 'doomed', error: new Error('always') }]);
  });

  it('holds a job with a delay until it is due', async () => {
    nextQueueName();
    const queue = bullQueue();
    const ran: string[] = [];
    queue.start(async (job) => {
      ran.push(job.id);
    });
    await queue.schedule(sessionJob('soon', Date.now() + 200));
    expect(await stateOf('soon')).toBe('delayed');
    expect(ran).toEqual([]);
    await eventually(async () => (await stateOf('soon')) === 'completed');
    expect(ran).toEqual(['soon']);
  });

  it('computes the delay from the injected clock', async () => {
    nextQueueName();
    const queue = bullQueue({ now: () => START });
    await queue.schedule(sessionJob('in-an-hour', START + 3600_000));
    const stored = await inspector.getJob('in-an-hour');
    expect(stored?.delay).toBe(3600_000);
  });

  it('takes an ioredis factory, and quits the clients it made on close', async () => {
    nextQueueName();
    const clients: Redis[] = [];
    const queue = new BullJobQueue({
      connection: {
        createClient: () => {
          const client = new Redis(url, { maxRetriesPerRequest: null });
          clients.push(client);
          return client;
        },
      },
      prefix,
      queueName,
      concurrency: 1,
      onFailure: () => undefined,
      onError: (error) => errors.push(error),
    });
    const ran: string[] = [];
    queue.start(async (job) => {
      ran.push(job.id);
    });
    await queue.schedule(sessionJob('factory', Date.now()));
    await eventually(async () => (await stateOf('factory')) === 'completed');
    await queue.close();
    expect(ran).toEqual(['factory']);
    expect(clients).toHaveLength(2);
    expect(clients.map((client) => client.status)).toEqual(['end', 'end']);
  });

  it('refuses a factory whose clients would give up on requests', () => {
    nextQueueName();
    expect(
      () =>
        new BullJobQueue({
          connection: { createClient: () => new Redis(url, { lazyConnect: true }) },
          prefix,
          queueName,
          concurrency: 1,
          onFailure: () => undefined,
          onError: (error) => errors.push(error),
        }),
    ).toThrow(expect.objectContaining({ code: 'connection_config' }));
  });

  it('refuses ids that BullMQ would reject or misread', async () => {
    nextQueueName();
    const queue = bullQueue();
    for (const id of ['a:b', '12345', '', 'delayed', 'wait', 'meta']) {
      await expect(queue.schedule(sessionJob(id, Date.now()))).rejects.toMatchObject({
        code: 'invalid_job_id',
      });
    }
  });
});
