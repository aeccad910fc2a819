import { realTimers, setDueTimer, type JobTimers } from '../jobs/memory-job-queue.js';
import type { Delivery } from './delivery.js';
import {
  DeliveryQueueError,
  HANDLER_TROUBLE_RETRY_MS,
  type DeliveryEraser,
  type DeliveryHandler,
  type DeliveryQueue,
  type ForgottenDeliveries,
} from './delivery-queue.js';

export interface MemoryDeliveryQueueOptions<Handle> {
  readonly timers?: JobTimers<Handle>;
  /** How many finished delivery ids are remembered, so that queuing one again does not resend it. */
  readonly rememberFinished?: number;
  /** How long `close()` waits for attempts in flight. */
  readonly closeWaitMs?: number;
  /** A handler that threw; logged by the caller (the attempt is made again later). */
  readonly onHandlerError?: (deliveryId: string, error: unknown) => void;
}

const DEFAULT_REMEMBER_FINISHED = 10_000;
/** A partner attempt times out after 15 s; this lets one finish. */
const DEFAULT_CLOSE_WAIT_MS = 20_000;

interface Entry<Handle> {
  readonly delivery: Delivery;
  readonly queuedAt: number;
  attempt: number;
  dueAt: number;
  timer: Handle | undefined;
  running: boolean;
}

/**
 * Deliveries held in this process, for the embedded mode and for tests on an injected
 * clock: lost on restart, as the embedded mode's responses are. Attempts run as soon as they
 * are due; the handler's decision sets the next one.
 */
export class MemoryDeliveryQueue<Handle = NodeJS.Timeout> implements DeliveryQueue, DeliveryEraser {
  private readonly timers: JobTimers<Handle>;
  private readonly rememberFinished: number;
  private readonly closeWaitMs: number;
  private readonly onHandlerError: (deliveryId: string, error: unknown) => void;
  private readonly pending = new Map<string, Entry<Handle>>();
  /** Insertion-ordered so the oldest is forgotten first. */
  private readonly finished = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private handler: DeliveryHandler | undefined;
  private closed = false;

  constructor(options: MemoryDeliveryQueueOptions<Handle> = {}) {
    // Without an explicit Handle the defaults are Node's timers, whose handle is a Timeout.
    this.timers = options.timers ?? (realTimers() as unknown as JobTimers<Handle>);
    this.rememberFinished = options.rememberFinished ?? DEFAULT_REMEMBER_FINISHED;
    this.closeWaitMs = options.closeWaitMs ?? DEFAULT_CLOSE_WAIT_MS;
    this.onHandlerError = options.onHandlerError ?? ((): void => undefined);
  }

  async enqueue(deliveries: readonly Delivery[]): Promise<void> {
    this.assertOpen();
    for (const delivery of deliveries) {
      if (this.pending.has(delivery.id) || this.finished.has(delivery.id)) continue;
      this.add(delivery);
    }
  }

  async requeue(delivery: Delivery): Promise<void> {
    this.assertOpen();
    // Queued or in flight already: a second replay of the same delivery changes nothing.
    if (this.pending.has(delivery.id)) return;
    this.finished.delete(delivery.id);
    this.add(delivery);
  }

  start(handler: DeliveryHandler): void {
    this.assertOpen();
    if (this.handler !== undefined) {
      throw new DeliveryQueueError(
        'delivery_queue_already_started',
        'the delivery queue is already started',
      );
    }
    this.handler = handler;
    for (const entry of this.pending.values()) this.arm(entry);
  }

  async forget(deliveryIds: readonly string[]): Promise<ForgottenDeliveries> {
    const unsent: string[] = [];
    const busy: string[] = [];
    let removed = 0;
    for (const id of deliveryIds) {
      this.finished.delete(id);
      const entry = this.pending.get(id);
      if (entry === undefined) continue;
      if (entry.running) {
        busy.push(id);
        continue;
      }
      this.disarm(entry);
      this.pending.delete(id);
      removed += 1;
      if (entry.attempt === 1) unsent.push(id);
    }
    return { removed, unsent, busy };
  }

  /** Cancels every timer and waits (bounded) for attempts in flight; queued deliveries are dropped. */
  async close(): Promise<void> {
    this.closed = true;
    for (const entry of this.pending.values()) this.disarm(entry);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(this.running),
      new Promise((resolve) => (timer = setTimeout(resolve, this.closeWaitMs))),
    ]).finally(() => clearTimeout(timer));
    this.pending.clear();
  }

  /** Deliveries queued or in flight. */
  get size(): number {
    return this.pending.size;
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new DeliveryQueueError('delivery_queue_closed', 'the delivery queue is closed');
    }
  }

  private add(delivery: Delivery): void {
    const now = this.timers.now();
    const entry: Entry<Handle> = {
      delivery,
      queuedAt: now,
      attempt: 1,
      dueAt: now,
      timer: undefined,
      running: false,
    };
    this.pending.set(delivery.id, entry);
    if (this.handler !== undefined) this.arm(entry);
  }

  private arm(entry: Entry<Handle>): void {
    entry.timer = setDueTimer(this.timers, entry.dueAt, () => this.fire(entry));
  }

  private disarm(entry: Entry<Handle>): void {
    if (entry.timer !== undefined) this.timers.clearTimer(entry.timer);
    entry.timer = undefined;
  }

  private fire(entry: Entry<Handle>): void {
    entry.timer = undefined;
    if (this.closed || entry.running || this.pending.get(entry.delivery.id) !== entry) return;
    // A capped timer, or a clock that moved back, can fire early: wait the rest.
    if (this.timers.now() < entry.dueAt) {
      this.arm(entry);
      return;
    }
    const attempt = this.attempt(entry);
    this.running.add(attempt);
    void attempt.finally(() => this.running.delete(attempt));
  }

  private async attempt(entry: Entry<Handle>): Promise<void> {
    const handler = this.handler;
    if (handler === undefined) return;
    entry.running = true;
    let delayMs: number;
    try {
      const decision = await handler({
        delivery: entry.delivery,
        attempt: entry.attempt,
        queuedAt: entry.queuedAt,
      });
      if (decision.next === 'finished') {
        this.finish(entry);
        return;
      }
      entry.attempt += 1;
      delayMs = decision.delayMs;
    } catch (error) {
      // The outcome could not be recorded: the same attempt is made again later.
      this.onHandlerError(entry.delivery.id, error);
      delayMs = HANDLER_TROUBLE_RETRY_MS;
    } finally {
      entry.running = false;
    }
    if (this.closed) return;
    entry.dueAt = this.timers.now() + delayMs;
    this.arm(entry);
  }

  private finish(entry: Entry<Handle>): void {
    this.pending.delete(entry.delivery.id);
    this.finished.add(entry.delivery.id);
    if (this.finished.size > this.rememberFinished) {
      const oldest = this.finished.values().next();
      if (oldest.done !== true) this.finished.delete(oldest.value);
    }
  }
}
