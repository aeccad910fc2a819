import { Queue, QueueKeys, UnrecoverableError, Worker, type Job, type JobsOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import type { Channel } from '../store/session-store.js';
import { closeBullInOrder } from './bullmq-close.js';
import {
  bullJobIdsMatching,
  dropBullJobEvents,
  removeBullJobs,
} from '../privacy/bullmq-erasure.js';
import { escapeGlob } from '../privacy/redis-scan.js';
import type { ForgottenJobs, JobEraser, JobHandler, JobQueue, SessionJob } from './job-queue.js';
import type { JobFailureHandler } from './memory-job-queue.js';

/**
 * Where BullMQ's Redis is. These connections are BullMQ's own, never the app's fail-fast
 * client: BullMQ needs `maxRetriesPerRequest: null` (its blocking reads wait indefinitely
 * and it retries on reconnect), which is wrong for a webhook that must answer quickly.
 */
export type BullConnection =
  /** Clients are made from the URL and options, with `maxRetriesPerRequest` forced to null. */
  | { readonly url: string; readonly options?: RedisOptions }
  /**
   * Called once for the queue and once for the worker (which BullMQ duplicates for its
   * blocking reads). The clients must have `maxRetriesPerRequest: null`; they are quit on `close()`.
   */
  | { readonly createClient: () => Redis };

export interface BullJobQueueOptions {
  readonly connection: BullConnection;
  /** Namespaces every BullMQ key, e.g. `carevoice:jobs`, so the jobs share a Redis safely. */
  readonly prefix: string;
  readonly queueName: string;
  /** Jobs this process runs at the same time. */
  readonly concurrency: number;
  /** A job given up after its last attempt. */
  readonly onFailure: JobFailureHandler;
  /** Redis trouble, or a job that cannot be read; BullMQ reconnects on its own, so this is for logs. */
  readonly onError: (error: Error) => void;
  readonly now?: () => number;
  /** Attempts in all, the first included. */
  readonly attempts?: number;
  /** First retry wait; each next one doubles (10 s, 20 s, 40 s, 80 s by default). */
  readonly backoffDelayMs?: number;
}

export type BullJobQueueErrorCode =
  | 'invalid_job_id'
  | 'invalid_job_data'
  | 'connection_config'
  | 'job_queue_already_started'
  | 'job_queue_closed'
  | 'job_queue_close_timed_out';

/** How long `close()` waits for running jobs and Redis before it disconnects. */
const CLOSE_WAIT_MS = 5_000;

export class BullJobQueueError extends Error {
  constructor(
    readonly code: BullJobQueueErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BullJobQueueError';
  }
}

const DEFAULT_ATTEMPTS = 5;
const DEFAULT_BACKOFF_DELAY_MS = 10_000;
/**
 * Finished jobs are kept a while so that scheduling the same id again is still ignored, but
 * not long: their data holds the participant's address. Ages are in seconds (BullMQ's unit).
 */
const KEEP_COMPLETED = { age: 24 * 3600, count: 10_000 };
const KEEP_FAILED = { age: 7 * 24 * 3600, count: 10_000 };

/**
 * Durable timed jobs on BullMQ. Any number of processes may share one Redis (same `prefix`
 * and `queueName`): each job runs once, in whichever process picks it up, and survives
 * restarts. Scheduling an id that is waiting, delayed or recently finished is ignored.
 *
 * Job ids end up in Redis keys, BullMQ's dashboards and logs, so they must not contain an
 * address: callers build them from `participantRef(key, secret)` (for example
 * `<ref>.reminder0.<due time>`). Ids with ':', all-digit ids and the names of BullMQ's own
 * keys (`delayed`, `wait`, ...) are refused with `invalid_job_id`.
 * The job data is the SessionJob itself, address included, because the reminder has to
 * reach someone; only the id and type are ever logged from here.
 */
export class BullJobQueue implements JobQueue, JobEraser {
  private readonly options: BullJobQueueOptions;
  private readonly now: () => number;
  private readonly queue: Queue<SessionJob>;
  /** The queue's own client, also used to find a participant's jobs when they are erased. */
  private readonly queueClient: Redis;
  /** Every client handed to BullMQ: it does not close clients it was handed, so `close()` does. */
  private readonly ownedClients: Redis[] = [];
  private worker: Worker<unknown> | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: BullJobQueueOptions) {
    this.options = options;
    this.now = options.now ?? ((): number => Date.now());
    this.queueClient = this.connectionFor('queue');
    this.queue = new Queue<SessionJob>(options.queueName, {
      connection: this.queueClient,
      prefix: options.prefix,
    });
    this.queue.on('error', options.onError);
  }

  async schedule(job: SessionJob): Promise<void> {
    assertPortableJobId(job.id);
    const jobOptions: JobsOptions = {
      jobId: job.id,
      delay: Math.max(0, job.runAt - this.now()),
      attempts: this.options.attempts ?? DEFAULT_ATTEMPTS,
      backoff: {
        type: 'exponential',
        delay: this.options.backoffDelayMs ?? DEFAULT_BACKOFF_DELAY_MS,
      },
      removeOnComplete: KEEP_COMPLETED,
      removeOnFail: KEEP_FAILED,
      // A delayed job of the same slot is removed, keys and all; one running now finishes,
      // and this one is added when it has.
      ...(job.slot === undefined
        ? {}
        : { deduplication: { id: job.slot, replace: true, keepLastIfActive: true } }),
    };
    await this.queue.add(job.type, sessionJobData(job), jobOptions);
  }

  /** Removes the jobs whose id starts with `idPrefix`, and the queue's events about them (erasure). */
  async forget(idPrefix: string): Promise<ForgottenJobs> {
    const ids = await bullJobIdsMatching(this.queueClient, this.queue, `${escapeGlob(idPrefix)}*`);
    const results = await removeBullJobs(this.queue, ids);
    await dropBullJobEvents(this.queueClient, this.queue, (id) => id.startsWith(idPrefix));
    const busy = results.filter((result) => result.outcome === 'busy').length;
    return { removed: results.length - busy, busy };
  }

  start(handler: JobHandler): void {
    if (this.closing !== undefined) {
      throw new BullJobQueueError('job_queue_closed', 'the job queue is closed');
    }
    if (this.worker !== undefined) {
      throw new BullJobQueueError('job_queue_already_started', 'the job queue is already started');
    }
    const worker = new Worker<unknown>(
      this.options.queueName,
      async (job: Job<unknown>) => {
        const sessionJob = parseSessionJob(job.data);
        // Retrying cannot repair the data: fail it now instead of five times.
        if (sessionJob === undefined) throw new UnrecoverableError('job data is not a session job');
        await handler(sessionJob);
      },
      {
        connection: this.connectionFor('worker'),
        prefix: this.options.prefix,
        concurrency: this.options.concurrency,
      },
    );
    worker.on('error', this.options.onError);
    worker.on('failed', (job, error) => this.reportFailure(job, error));
    this.worker = worker;
  }

  /** Stops taking jobs, waits for the running ones, then closes the queue and its connections. */
  close(): Promise<void> {
    this.closing ??= this.closeInOrder();
    return this.closing;
  }

  private async closeInOrder(): Promise<void> {
    await closeBullInOrder(
      { worker: this.worker, queue: this.queue, clients: this.ownedClients },
      CLOSE_WAIT_MS,
      () =>
        this.options.onError(
          new BullJobQueueError(
            'job_queue_close_timed_out',
            'closing the job queue timed out; disconnecting',
          ),
        ),
    );
  }

  /**
   * A client of our own for BullMQ to use; BullMQ leaves clients it was handed open, so
   * `close()` quits them. The worker's is only a template that BullMQ duplicates for its
   * two connections, so when we make it, it is lazy and never connects itself.
   */
  private connectionFor(use: 'queue' | 'worker'): Redis {
    const client = createBullClient(this.options.connection, use === 'worker');
    this.ownedClients.push(client);
    return client;
  }

  private reportFailure(job: Job<unknown> | undefined, error: Error): void {
    if (job === undefined) {
      this.options.onError(error);
      return;
    }
    // BullMQ emits `failed` after every failed attempt; only the last one sets `finishedOn`.
    if (job.finishedOn === undefined) return;
    const sessionJob = parseSessionJob(job.data);
    if (sessionJob === undefined) {
      this.options.onError(
        new BullJobQueueError(
          'invalid_job_data',
          `job ${job.id ?? '?'} does not hold a session job`,
        ),
      );
      return;
    }
    this.options.onFailure(sessionJob, error);
  }
}

/**
 * A job's hash lives at `<prefix>:<queue>:<id>`, next to the queue's own keys
 * (`<prefix>:<queue>:delayed`, `:wait`, ...): an id equal to one of their names would
 * collide with it.
 */
const RESERVED_IDS: ReadonlySet<string> = new Set([
  ...Object.keys(new QueueKeys().getKeys('queue')),
  'priority',
  'metrics',
]);

function assertPortableJobId(id: string): void {
  if (id === '' || id.includes(':') || /^\d+$/.test(id) || RESERVED_IDS.has(id)) {
    throw new BullJobQueueError(
      'invalid_job_id',
      `job id '${id}' cannot be used: it must be non-empty, without ':', not all digits and not a BullMQ key name`,
    );
  }
}

/** Exactly the SessionJob fields, so nothing a caller attached by accident reaches Redis. */
function sessionJobData(job: SessionJob): SessionJob {
  const timer = {
    id: job.id,
    key: { channel: job.key.channel, address: job.key.address },
    flowId: job.flowId,
    startedAt: job.startedAt,
    runAt: job.runAt,
  };
  if (job.type === 'expiry') return { ...timer, type: 'expiry' };
  return {
    ...timer,
    type: 'reminder',
    reminder: job.reminder,
    ...(job.remindedFor === undefined ? {} : { remindedFor: job.remindedFor }),
  };
}

/** Every channel, checked by the compiler against `Channel`. */
const CHANNELS: Readonly<Record<Channel, true>> = {
  web: true,
  sms: true,
  whatsapp: true,
  slack: true,
  terminal: true,
};

function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && Object.hasOwn(CHANNELS, value);
}

/**
 * Job data comes back from Redis, possibly written by an older release: check it. Timers of
 * the releases that set them on every message (naming a revision, not `startedAt`) are
 * refused as unreadable.
 */
function parseSessionJob(data: unknown): SessionJob | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { id, type, key, flowId, startedAt, runAt, reminder, remindedFor } = data as Record<
    string,
    unknown
  >;
  if (typeof key !== 'object' || key === null) return undefined;
  const { channel, address } = key as Record<string, unknown>;
  if (
    typeof id !== 'string' ||
    !isChannel(channel) ||
    typeof address !== 'string' ||
    typeof flowId !== 'string' ||
    typeof startedAt !== 'string' ||
    typeof runAt !== 'number'
  ) {
    return undefined;
  }
  const timer = { id, key: { channel, address }, flowId, startedAt, runAt };
  if (type === 'expiry') return { ...timer, type };
  if (
    type !== 'reminder' ||
    typeof reminder !== 'number' ||
    !(remindedFor === undefined || typeof remindedFor === 'string')
  ) {
    return undefined;
  }
  return {
    ...timer,
    type,
    reminder,
    ...(remindedFor === undefined ? {} : { remindedFor }),
  };
}

/**
 * A Redis client for BullMQ from the connection setting; `lazy` for a worker's template,
 * which BullMQ duplicates and never connects itself. Throws `connection_config` for a client
 * that would give up on commands while Redis reconnects.
 */
export function createBullClient(connection: BullConnection, lazy: boolean): Redis {
  const client =
    'url' in connection
      ? new Redis(connection.url, {
          ...connection.options,
          // BullMQ reads replies in ioredis' classic shapes.
          replyMapping: 'legacy',
          maxRetriesPerRequest: null,
          lazyConnect: lazy,
        })
      : connection.createClient();
  if (client.options.maxRetriesPerRequest !== null) {
    client.disconnect();
    throw new BullJobQueueError(
      'connection_config',
      'BullMQ needs its Redis clients created with maxRetriesPerRequest: null',
    );
  }
  return client;
}
