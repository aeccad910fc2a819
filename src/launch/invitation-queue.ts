import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import {
  bullJobIdsMatching,
  dropBullJobEvents,
  removeBullJobs,
} from '../privacy/bullmq-erasure.js';
import { escapeGlob } from '../privacy/redis-scan.js';
import { closeBullInOrder } from '../jobs/bullmq-close.js';
import { parseInvitationJob, type InvitationJob } from './invitation-job.js';

/** How long `close()` waits for a send under way and for Redis before it disconnects. */
const INVITATION_CLOSE_WAIT_MS = 5_000;

/** Where launches put their invitations; the running server's workers take them from there. */
export interface InvitationQueue {
  /** Adding a job whose id is already queued (or recently done) changes nothing. */
  add(job: InvitationJob): Promise<void>;
  /** `add` for each job, in one round trip. */
  addAll(jobs: readonly InvitationJob[]): Promise<void>;
  /** Invitations waiting or delayed: none left means the launch has been sent. */
  waiting(): Promise<number>;
  close(): Promise<void>;
}

/** What a sender did with an invitation: finished with it, or it must wait until `until`. */
export type InvitationResult =
  { readonly type: 'done' } | { readonly type: 'wait'; readonly until: number };

export interface InvitationWorkerOptions {
  readonly concurrency: number;
  readonly handle: (job: InvitationJob) => Promise<InvitationResult>;
  /** A job that failed its last attempt (each failure before it is retried with backoff). */
  readonly onGivenUp: (job: InvitationJob, error: Error) => Promise<void>;
  readonly onError: (error: Error) => void;
}

const QUEUE_NAME = 'invitations';
const ATTEMPTS = 5;
/** Retries wait 30 s, 1 min, 2 min, 4 min: time for Twilio or Slack to recover. */
const BACKOFF_DELAY_MS = 30_000;
/** Kept a day after they finish, so re-adding the same id is still ignored; then forgotten (they hold addresses). */
const KEEP_DONE = { age: 24 * 3600, count: 50_000 };

/**
 * Invitations as durable BullMQ jobs in Redis: they survive restarts, each runs once in
 * whichever server process takes it, failures are retried with backoff. A job that must wait
 * (quiet hours, its turn at the sender's pace) is moved back to the delayed set, which
 * neither counts as an attempt nor holds a worker.
 */
export class BullInvitationQueue implements InvitationQueue {
  private readonly clients: Redis[] = [];
  private readonly queue: Queue;
  private worker: Worker | undefined;

  constructor(
    private readonly url: string,
    private readonly prefix: string,
  ) {
    this.queue = new Queue(QUEUE_NAME, { connection: this.client(false), prefix });
  }

  async add(job: InvitationJob): Promise<void> {
    await this.addAll([job]);
  }

  async addAll(jobs: readonly InvitationJob[]): Promise<void> {
    if (jobs.length === 0) return;
    const now = Date.now();
    await this.queue.addBulk(
      jobs.map((job) => ({
        name: 'invitation',
        data: job,
        opts: {
          jobId: job.id,
          delay: Math.max(0, job.runAt - now),
          attempts: ATTEMPTS,
          backoff: { type: 'exponential', delay: BACKOFF_DELAY_MS },
          removeOnComplete: KEEP_DONE,
          removeOnFail: KEEP_DONE,
        },
      })),
    );
  }

  async waiting(): Promise<number> {
    const counts = await this.queue.getJobCounts('wait', 'delayed', 'active', 'prioritized');
    return Object.values(counts).reduce((sum, count) => sum + count, 0);
  }

  /**
   * Erasure: removes the person's invitations to every flow (`invite.<flow>.<ref>`), sent or
   * not, and the queue's events about them. One being sent now is counted in `busy`.
   */
  async forget(ref: string): Promise<{ readonly removed: number; readonly busy: number }> {
    // The queue's own client, made first in the constructor.
    const client = this.clients[0];
    if (client === undefined) return { removed: 0, busy: 0 };
    const suffix = `.${ref}`;
    const ids = await bullJobIdsMatching(client, this.queue, `invite.*${escapeGlob(suffix)}`);
    const results = await removeBullJobs(this.queue, ids);
    await dropBullJobEvents(
      client,
      this.queue,
      (id) => id.startsWith('invite.') && id.endsWith(suffix),
    );
    const busy = results.filter((result) => result.outcome === 'busy').length;
    return { removed: results.length - busy, busy };
  }

  start(options: InvitationWorkerOptions): void {
    const worker = new Worker(
      QUEUE_NAME,
      async (job: Job, token?: string) => {
        const invitation = parseInvitationJob(job.data);
        if (invitation === undefined) throw new UnrecoverableError('not an invitation job');
        const result = await options.handle(invitation);
        if (result.type === 'wait') {
          await job.moveToDelayed(result.until, token);
          throw new DelayedError();
        }
      },
      { connection: this.client(true), prefix: this.prefix, concurrency: options.concurrency },
    );
    worker.on('error', options.onError);
    worker.on('failed', (job, error) => {
      // Emitted after every failed attempt; only the last one has `finishedOn`.
      const invitation = job?.finishedOn === undefined ? undefined : parseInvitationJob(job.data);
      if (invitation !== undefined)
        void options.onGivenUp(invitation, error).catch(options.onError);
    });
    this.worker = worker;
  }

  /**
   * Lets a send under way finish, but not for ever: with Redis gone BullMQ's close waits for a
   * reconnect that may never come, and a server's shutdown must not hang on it.
   */
  async close(): Promise<void> {
    await closeBullInOrder(
      { worker: this.worker, queue: this.queue, clients: this.clients },
      INVITATION_CLOSE_WAIT_MS,
    );
  }

  /** BullMQ's own clients: its blocking reads need `maxRetriesPerRequest: null`. */
  private client(forWorker: boolean): Redis {
    const client = new Redis(this.url, {
      maxRetriesPerRequest: null,
      replyMapping: 'legacy',
      lazyConnect: forWorker,
    });
    this.clients.push(client);
    return client;
  }
}
