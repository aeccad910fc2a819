import type { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';

/** How long a disconnected client may take to report that it has ended. */
const END_WAIT_MS = 1_000;

/** A BullMQ worker and queue, and the Redis clients made for them (BullMQ does not close those). */
export interface BullParts {
  /** Absent when the queue never started working. */
  readonly worker: Pick<Worker, 'close'> | undefined;
  readonly queue: Pick<Queue, 'close'>;
  readonly clients: readonly Redis[];
}

/**
 * Closes the worker, then the queue, then ends the clients. Work under way may finish, but
 * not for ever: with Redis unreachable BullMQ's close waits for a reconnect that may never
 * come, and shutdown must not hang on it. `onTimedOut` hears when the wait ran out.
 */
export async function closeBullInOrder(
  parts: BullParts,
  waitMs: number,
  onTimedOut: () => void = () => undefined,
): Promise<void> {
  const graceful = (async () => {
    await parts.worker?.close();
    await parts.queue.close();
  })();
  if (!(await finishesWithin(graceful, waitMs))) {
    onTimedOut();
    // BullMQ's own disconnect also waits for a connection first: leave it, and end ours.
    graceful.catch(() => undefined);
  }
  await Promise.all(parts.clients.map(closeClient));
}

/** True when `work` resolves within `ms`, false when the wait ran out first; its rejection is passed on. */
export async function finishesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work.then(() => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Resolves once the socket is closed: `quit()` resolves on Redis' OK, before that. */
export async function closeClient(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  // Listening first: a client that never connected ends synchronously in `disconnect()`.
  const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
  if (client.status === 'ready') {
    await client.quit().catch(() => client.disconnect());
  } else {
    client.disconnect();
  }
  // A client caught between reconnect attempts has no socket left to close, and may never
  // say 'end': wait a little, not for ever.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([ended, new Promise((resolve) => (timer = setTimeout(resolve, END_WAIT_MS)))]);
  clearTimeout(timer);
}
