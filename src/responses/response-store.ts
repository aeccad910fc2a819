import type { ResponseRecord } from './record.js';

export interface ListOptions {
  /** Only records stored at or after this time. */
  readonly since?: Date | undefined;
  /** Records fetched per round trip; memory stays flat however many there are. */
  readonly pageSize?: number | undefined;
}

/**
 * Stored responses of each flow, in the order they were stored. They are written by the
 * session store's commit, in the same atomic step that ends the session (`SessionCommit.record`);
 * this is the read side.
 */
export interface ResponseStore {
  /** A flow's records, oldest first, fetched a page at a time. */
  list(flowId: string, options?: ListOptions): AsyncIterable<ResponseRecord>;
  /** How many records a flow has now (one read). */
  count(flowId: string): Promise<number>;
}

/** A record waiting to be handed to its partners' deliveries. */
export interface OutboxEntry {
  readonly entryId: string;
  readonly record: ResponseRecord;
}

/**
 * Each committed record is also put in the outbox, in the same atomic step. A relay takes
 * entries, creates the partner deliveries (idempotently: the delivery id comes from the record
 * id), then acknowledges them. An entry taken by a relay that stopped before acknowledging is
 * handed out again after `RELAY_RECLAIM_MS`: at least once, never lost.
 */
export interface ResponseOutbox {
  /** Up to `max` entries not yet acknowledged; waits up to `waitMs` for one when there are none. */
  take(consumer: string, max: number, waitMs: number): Promise<OutboxEntry[]>;
  acknowledge(entryIds: readonly string[]): Promise<void>;
}

/** A record taken out of the store (erasure, retention). */
export interface RemovedRecord {
  readonly record: ResponseRecord;
  /**
   * False when its outbox entry was still waiting, untaken: no partner delivery was made
   * from it. True when a relay had taken it, so deliveries may exist.
   */
  readonly relayed: boolean;
}

/** How long an entry taken but not acknowledged stays with its relay before another takes it. */
export const RELAY_RECLAIM_MS = 60_000;
