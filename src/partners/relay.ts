import type { Flow } from '../flow/flow.js';
import type { Logger } from '../logger.js';
import type { OutboxEntry, ResponseOutbox } from '../responses/response-store.js';
import type { Delivery } from './delivery.js';
import type { DeliveryQueue } from './delivery-queue.js';
import { deliveriesFor } from './payload.js';

export interface DeliveryRelayOptions {
  readonly outbox: ResponseOutbox;
  /** The flow registry's lookup: the exact version when given, else the live one. */
  readonly flows: { get(id: string, version?: string): Flow | undefined };
  readonly queue: Pick<DeliveryQueue, 'enqueue'>;
  /** This process's name in the outbox's consumer group; unique per process. */
  readonly consumer: string;
  readonly logger: Logger;
  /** Entries taken at once. */
  readonly batchSize?: number;
  /** How long one take waits for an entry. */
  readonly waitMs?: number;
  /** Pause after a failed round, doubled on each failure in a row up to `maxPauseMs`. */
  readonly pauseMs?: number;
  readonly maxPauseMs?: number;
}

const DEFAULT_BATCH_SIZE = 100;
const DEFAULT_WAIT_MS = 1_000;
const DEFAULT_PAUSE_MS = 250;
const DEFAULT_MAX_PAUSE_MS = 5_000;

/**
 * Turns outbox entries into partner deliveries: one per partner of the record's flow (partial
 * records only to partners with `send_partial`), queued idempotently (the job id is the
 * delivery id), then the entries acknowledged. Every server process runs one; the outbox's
 * consumer group shares the entries out. It is off the message path: a slow queue or a
 * partner outage never holds up a conversation.
 *
 * At least once: entries are acknowledged only after their deliveries are queued, and a batch
 * that could not be queued is kept and tried again (Redis may be restarting), so an entry is
 * left for the outbox to hand out again only when this process stops.
 */
export class DeliveryRelay {
  private readonly options: DeliveryRelayOptions;
  private running: Promise<void> | undefined;
  private stopping = false;
  /** True while waiting in the outbox for entries: nothing to finish then. */
  private taking = false;
  private wake: (() => void) | undefined;

  constructor(options: DeliveryRelayOptions) {
    this.options = options;
  }

  start(): void {
    this.running ??= this.loop();
  }

  /**
   * Stops after the deliveries being queued are queued. A take still waiting is not waited
   * for: whatever it brings back is left unacknowledged, and the outbox hands it out again.
   */
  async close(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    if (!this.taking) await this.running;
  }

  /**
   * One round: take entries, queue their deliveries, acknowledge them. Returns how many
   * entries were handled; throws when the outbox or the queue failed (nothing acknowledged).
   */
  async relayOnce(): Promise<number> {
    const entries = await this.take();
    await this.relay(entries);
    return entries.length;
  }

  private async loop(): Promise<void> {
    // A batch taken but not yet queued is kept across failures, not left to the outbox's reclaim.
    let taken: OutboxEntry[] = [];
    let failures = 0;
    while (!this.stopping) {
      try {
        if (taken.length === 0) taken = await this.take();
        if (this.stopping) break;
        await this.relay(taken);
        taken = [];
        failures = 0;
      } catch (error) {
        // A take cut off by shutdown is no trouble.
        if (this.stopping) break;
        failures += 1;
        if (failures === 1 || failures % 20 === 0) {
          this.options.logger.warn(
            { code: 'relay_failed', failures, held: taken.length, err: describe(error) },
            'could not hand responses to partner deliveries; trying again',
          );
        }
        await this.pause(failures);
      }
    }
  }

  private async take(): Promise<OutboxEntry[]> {
    const { outbox, batchSize, waitMs, consumer } = this.options;
    this.taking = true;
    try {
      return await outbox.take(
        consumer,
        batchSize ?? DEFAULT_BATCH_SIZE,
        waitMs ?? DEFAULT_WAIT_MS,
      );
    } finally {
      this.taking = false;
    }
  }

  private async relay(entries: readonly OutboxEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const deliveries: Delivery[] = [];
    const done: string[] = [];
    for (const entry of entries) {
      const found = this.deliveriesOf(entry);
      if (found === undefined) continue;
      deliveries.push(...found);
      done.push(entry.entryId);
    }
    await this.options.queue.enqueue(deliveries);
    await this.options.outbox.acknowledge(done);
  }

  /**
   * The deliveries of one entry, or `undefined` when its flow is not known here yet (just
   * published by another process): the entry is then left for the outbox to hand out again.
   * A version no longer loaded (the file changed since) goes to the live version's partners.
   */
  private deliveriesOf(entry: OutboxEntry): Delivery[] | undefined {
    const { record } = entry;
    const flow =
      this.options.flows.get(record.flowId, record.flowVersion) ??
      this.options.flows.get(record.flowId);
    if (flow === undefined) {
      this.options.logger.warn(
        { code: 'relay_flow_unknown', flow: record.flowId, record: record.id },
        'a response names a flow not loaded here; leaving it for later',
      );
      return undefined;
    }
    return deliveriesFor(record, flow);
  }

  private pause(failures: number): Promise<void> {
    const base = this.options.pauseMs ?? DEFAULT_PAUSE_MS;
    const ms = Math.min(
      base * 2 ** (failures - 1),
      this.options.maxPauseMs ?? DEFAULT_MAX_PAUSE_MS,
    );
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

function describe(error: unknown): { code?: string; message: string } {
  if (!(error instanceof Error)) return { message: String(error) };
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? { code, message: error.message } : { message: error.message };
}
