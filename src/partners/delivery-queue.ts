import type { Delivery } from './delivery.js';

/** One attempt to make: the delivery, which attempt this is (1 for the first), when it was queued. */
export interface DeliveryAttempt {
  readonly delivery: Delivery;
  readonly attempt: number;
  /** Epoch milliseconds at which the delivery was queued (or queued again by a replay). */
  readonly queuedAt: number;
}

/**
 * What the queue does after an attempt. `finished`: nothing more (delivered, or held for a
 * coordinator in the dead-letter list). `retry`: attempt again after `delayMs`.
 */
export type AttemptDecision =
  { readonly next: 'finished' } | { readonly next: 'retry'; readonly delayMs: number };

/**
 * Makes one attempt and decides what follows; the retry schedule lives here, not in the
 * queue, so every queue retries alike. A handler that throws (its own storage is down) is
 * tried again after `HANDLER_TROUBLE_RETRY_MS` with the same attempt number.
 */
export type DeliveryHandler = (attempt: DeliveryAttempt) => Promise<AttemptDecision>;

/** A handler that could not record its outcome is tried again after this, for as long as it takes. */
export const HANDLER_TROUBLE_RETRY_MS = 30_000;

/**
 * Partner deliveries waiting for their next attempt. At least once: a delivery survives a
 * restart (the Redis implementation), and one whose attempt was cut short is attempted again.
 */
export interface DeliveryQueue {
  /**
   * Queues deliveries for a first attempt. A delivery id already queued, in flight or
   * finished recently is ignored: a relay that queued it and stopped before saying so
   * queues it again.
   */
  enqueue(deliveries: readonly Delivery[]): Promise<void>;
  /** Queues a delivery that finished (held in the dead-letter list) again, for fresh attempts. */
  requeue(delivery: Delivery): Promise<void>;
  /** Starts attempting due deliveries with `handler`. */
  start(handler: DeliveryHandler): void;
  /** Stops taking deliveries and waits, for a bounded time, for the attempts in flight. */
  close(): Promise<void>;
}

/** What `forget` did with the deliveries it was given. */
export interface ForgottenDeliveries {
  /** How many were removed. */
  readonly removed: number;
  /** Removed before their first attempt: their partner never received them. */
  readonly unsent: readonly string[];
  /** Being attempted right now, so left alone: ask again once the attempt is over. */
  readonly busy: readonly string[];
}

/**
 * Removes deliveries with their bodies, whatever their state (waiting, retrying, finished),
 * when a respondent's data is erased. Ids with no delivery are ignored.
 */
export interface DeliveryEraser {
  forget(deliveryIds: readonly string[]): Promise<ForgottenDeliveries>;
}

export type DeliveryQueueErrorCode =
  | 'delivery_queue_closed'
  | 'delivery_queue_already_started'
  | 'delivery_queue_close_timed_out'
  | 'delivery_in_flight';

export class DeliveryQueueError extends Error {
  constructor(
    readonly code: DeliveryQueueErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DeliveryQueueError';
  }
}
