import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { closeClient, finishesWithin } from '../jobs/bullmq-close.js';
import { createBullClient, type BullConnection } from '../jobs/bullmq-job-queue.js';
import type { Logger } from '../logger.js';

/** The retention purge runs once a day (in Redis mode at midnight UTC, BullMQ's `every` alignment). */
export const RETENTION_EVERY_MS = 86_400_000;
const QUEUE_NAME = 'retention';
const SCHEDULER_ID = 'retention-daily';
/** How long shutdown waits for a purge under way and for Redis. */
const CLOSE_WAIT_MS = 5_000;

export interface RetentionSchedule {
  close(): Promise<void>;
}

/**
 * The embedded mode: a timer in this process (the only one), first run a day after start.
 * The timer does not keep a finished process alive.
 */
export function startRetentionTimer(
  purge: () => Promise<unknown>,
  logger: Logger,
  everyMs = RETENTION_EVERY_MS,
): RetentionSchedule {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = purge().catch((error: unknown) => failed(logger, error));
  }, everyMs);
  timer.unref();
  return {
    close: async () => {
      clearInterval(timer);
      await running;
    },
  };
}

/**
 * The Redis mode: a BullMQ job scheduler, upserted by every process (the same id, so one
 * schedule), whose each day's job is run by one worker of one process. A purge that fails
 * is logged and runs again the next day; each run removes all that is past its time. Like
 * the other queues it starts while Redis is down, and its shutdown does not wait for Redis.
 */
export function startBullRetention(
  connection: BullConnection,
  prefix: string,
  purge: () => Promise<unknown>,
  logger: Logger,
): RetentionSchedule {
  const clients: Redis[] = [
    createBullClient(connection, false),
    createBullClient(connection, true),
  ];
  const [queueClient, workerClient] = clients as [Redis, Redis];
  const queue = new Queue(QUEUE_NAME, { connection: queueClient, prefix });
  queue.on('error', (error) => failed(logger, error));
  const scheduled = queue
    .upsertJobScheduler(
      SCHEDULER_ID,
      { every: RETENTION_EVERY_MS },
      { name: 'purge', opts: { removeOnComplete: true, removeOnFail: 30 } },
    )
    .catch((error: unknown) => failed(logger, error));
  const worker = new Worker(QUEUE_NAME, () => purge(), {
    connection: workerClient,
    prefix,
    concurrency: 1,
  });
  worker.on('error', (error) => failed(logger, error));
  worker.on('failed', (_job, error) => failed(logger, error));
  return {
    close: async () => {
      // A close that fails, or ends after the wait, is logged: never an unhandled rejection.
      const graceful = (async () => {
        await scheduled;
        await worker.close();
        await queue.close();
      })().catch((error: unknown) => failed(logger, error));
      await finishesWithin(graceful, CLOSE_WAIT_MS);
      await Promise.all(clients.map(closeClient));
    },
  };
}

function failed(logger: Logger, error: unknown): void {
  logger.warn(
    { code: 'retention_failed', err: error instanceof Error ? error.message : String(error) },
    'the retention purge could not run; it is tried again at its next time',
  );
}
