import {
  DelayedError,
  Queue,
  UnrecoverableError,
  Worker,
  type Job,
  type JobsOptions,
} from 'bullmq';
import type { Redis } from 'ioredis';
import { closeBullInOrder } from '../jobs/bullmq-close.js';
import { createBullClient, type BullConnection } from '../jobs/bullmq-job-queue.js';
import type { Delivery } from './delivery.js';
import {
  DeliveryQueueError,
  HANDLER_TROUBLE_RETRY_MS,
  type DeliveryEraser,
  type DeliveryHandler,
  type DeliveryQueue,
  type ForgottenDeliveries,
} from './delivery-queue.js';
import { parseDelivery } from './partner-state.js';
import { removeBullJobs } from '../privacy/bullmq-erasure.js';

export interface BullDeliveryQueueOptions {
  readonly connection: BullConnection;
  /** Namespaces every BullMQ key, e.g. `cv:jobs`, so the queue shares a Redis safely. */
  readonly prefix: string;
  /** Attempts this process makes at the same time. */
  readonly concurrency: number;
  /** Redis trouble, or a job that cannot be read; BullMQ reconnects on its own, so this is for logs. */
  readonly onError: (error: Error) => void;
  /** A handler that threw; the same attempt is made again later. */
  readonly onHandlerError?: (deliveryId: string, error: unknown) => void;
  /** How long `close()` waits for attempts in flight before it disconnects. */
  readonly closeWaitMs?: number;
  /** Wait before a handler that threw is tried again; `HANDLER_TROUBLE_RETRY_MS` unless a test shortens it. */
  readonly troubleRetryMs?: number;
}

export const DELIVERY_QUEUE_NAME = 'partner-deliveries';
/** An attempt times out after 15 s; this lets one finish. */
const DEFAULT_CLOSE_WAIT_MS = 20_000;
/** The handler's schedule decides when a delivery stops; BullMQ's own limit must never come first. */
const UNLIMITED_ATTEMPTS = 1_000_000;
/**
 * A worker that dies mid-attempt leaves its job stalled, and BullMQ fails a job stalled more
 * than `maxStalledCount` times. A delivery is never failed that way: it goes back to wait.
 */
const MAX_STALLED = 1_000_000;
/**
 * How often stalled jobs are looked for. An attempt in flight when Redis restarts loses its
 * lock and is found stalled on the second look: every 5 s rather than BullMQ's 30 s, so the
 * queue is moving again within seconds of Redis coming back.
 */
const STALLED_INTERVAL_MS = 5_000;
/** Finished deliveries are remembered a day, so the relay queuing one again is ignored. Seconds. */
const KEEP_COMPLETED = { age: 24 * 3600, count: 100_000 };
/** Only unreadable jobs fail; they are kept for a look. Seconds. */
const KEEP_FAILED = { age: 30 * 24 * 3600 };
const BACKOFF_TYPE = 'partner-schedule';

interface DeliveryJobData {
  readonly delivery: Delivery;
  readonly queuedAt: number;
}

/** Thrown by the processor to let BullMQ count the attempt and wait the handler's delay. */
class RetryLaterError extends Error {
  constructor(
    readonly delayMs: number,
    readonly deliveryId: string,
  ) {
    super(`delivery ${deliveryId} is retried in ${delayMs} ms`);
    this.name = 'RetryLaterError';
  }
}

/**
 * Partner deliveries on BullMQ: durable, shared by every process, each attempt made in one
 * of them. The job id is the delivery id, so queuing a delivery twice keeps one job.
 *
 * Attempts are decided by the handler, not by BullMQ's options: the processor throws
 * `RetryLaterError` carrying the delay the schedule (or the partner's `Retry-After`) gave, and
 * the custom backoff strategy hands that delay back to BullMQ, which counts the attempt. A
 * handler that throws (its storage unreachable) is moved back to delayed without counting an
 * attempt, so a Redis outage does not use up a partner's schedule.
 */
export class BullDeliveryQueue implements DeliveryQueue, DeliveryEraser {
  private readonly options: BullDeliveryQueueOptions;
  private readonly troubleRetryMs: number;
  private readonly queue: Queue<DeliveryJobData>;
  /** Every client handed to BullMQ: it does not close clients it was handed, so `close()` does. */
  private readonly ownedClients: Redis[] = [];
  private worker: Worker<unknown> | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: BullDeliveryQueueOptions) {
    this.options = options;
    this.troubleRetryMs = options.troubleRetryMs ?? HANDLER_TROUBLE_RETRY_MS;
    this.queue = new Queue<DeliveryJobData>(DELIVERY_QUEUE_NAME, {
      connection: this.client(false),
      prefix: options.prefix,
    });
    this.queue.on('error', options.onError);
  }

  async enqueue(deliveries: readonly Delivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    const queuedAt = Date.now();
    await this.queue.addBulk(
      deliveries.map((delivery) => ({
        name: delivery.type,
        data: { delivery: deliveryData(delivery), queuedAt },
        opts: jobOptions(delivery.id),
      })),
    );
  }

  async requeue(delivery: Delivery): Promise<void> {
    const existing = await this.queue.getJob(delivery.id);
    if (existing !== undefined) {
      const state = await existing.getState();
      // Waiting, delayed or in flight: a second replay of the same delivery changes nothing.
      if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return;
      await existing.remove();
    }
    await this.queue.add(
      delivery.type,
      { delivery: deliveryData(delivery), queuedAt: Date.now() },
      jobOptions(delivery.id),
    );
  }

  async forget(deliveryIds: readonly string[]): Promise<ForgottenDeliveries> {
    const results = await removeBullJobs(this.queue, deliveryIds);
    return {
      removed: results.filter((r) => r.outcome === 'removed').length,
      unsent: results
        .filter((r) => r.outcome === 'removed' && r.waiting && r.attemptsMade === 0)
        .map((r) => r.id),
      busy: results.filter((r) => r.outcome === 'busy').map((r) => r.id),
    };
  }

  start(handler: DeliveryHandler): void {
    if (this.closing !== undefined) {
      throw new DeliveryQueueError('delivery_queue_closed', 'the delivery queue is closed');
    }
    if (this.worker !== undefined) {
      throw new DeliveryQueueError(
        'delivery_queue_already_started',
        'the delivery queue is already started',
      );
    }
    const worker = new Worker<unknown>(
      DELIVERY_QUEUE_NAME,
      (job: Job<unknown>, token?: string) => this.process(handler, job, token),
      {
        connection: this.client(true),
        prefix: this.options.prefix,
        concurrency: this.options.concurrency,
        maxStalledCount: MAX_STALLED,
        stalledInterval: STALLED_INTERVAL_MS,
        settings: {
          backoffStrategy: (_attemptsMade, _type, error) =>
            error instanceof RetryLaterError ? error.delayMs : this.troubleRetryMs,
        },
      },
    );
    worker.on('error', this.options.onError);
    worker.on('failed', (job, error) => {
      // Emitted after every counted attempt; only an unreadable job really fails.
      if (job === undefined || job.finishedOn !== undefined) this.options.onError(error);
    });
    this.worker = worker;
  }

  /** Stops taking deliveries, waits (bounded) for attempts in flight, then disconnects. */
  close(): Promise<void> {
    this.closing ??= this.closeInOrder();
    return this.closing;
  }

  private async process(
    handler: DeliveryHandler,
    job: Job<unknown>,
    token: string | undefined,
  ): Promise<void> {
    const data = parseJobData(job.data);
    // Retrying cannot repair the data: fail it now.
    if (data === undefined) throw new UnrecoverableError('job data is not a partner delivery');
    let decision;
    try {
      decision = await handler({ ...data, attempt: job.attemptsMade + 1 });
    } catch (error) {
      this.options.onHandlerError?.(data.delivery.id, error);
      if (token === undefined) throw error;
      await job.moveToDelayed(Date.now() + this.troubleRetryMs, token);
      throw new DelayedError();
    }
    if (decision.next === 'retry') throw new RetryLaterError(decision.delayMs, data.delivery.id);
  }

  /**
   * Lets attempts in flight finish, but not for ever: with Redis unreachable BullMQ's close
   * waits for a reconnect that may never come, and shutdown must not hang on it.
   */
  private async closeInOrder(): Promise<void> {
    await closeBullInOrder(
      { worker: this.worker, queue: this.queue, clients: this.ownedClients },
      this.options.closeWaitMs ?? DEFAULT_CLOSE_WAIT_MS,
      () =>
        this.options.onError(
          new DeliveryQueueError(
            'delivery_queue_close_timed_out',
            'closing the delivery queue timed out; disconnecting',
          ),
        ),
    );
  }

  private client(lazy: boolean): Redis {
    const client = createBullClient(this.options.connection, lazy);
    this.ownedClients.push(client);
    return client;
  }
}

function jobOptions(deliveryId: string): JobsOptions {
  return {
    jobId: deliveryId,
    attempts: UNLIMITED_ATTEMPTS,
    backoff: { type: BACKOFF_TYPE },
    removeOnComplete: KEEP_COMPLETED,
    removeOnFail: KEEP_FAILED,
  };
}

/** Exactly the Delivery fields, so nothing a caller attached by accident reaches Redis. */
function deliveryData(delivery: Delivery): Delivery {
  const { id, type, flowId, partnerId, recordId, body } = delivery;
  return { id, type, flowId, partnerId, recordId, body };
}

/** Job data comes back from Redis, possibly written by an older release: check it. */
function parseJobData(data: unknown): DeliveryJobData | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { delivery, queuedAt } = data as Record<string, unknown>;
  const parsed = parseDelivery(delivery);
  if (parsed === undefined || typeof queuedAt !== 'number') return undefined;
  return { delivery: parsed, queuedAt };
}
