import type { ResponseRecord } from './record.js';
import {
  RELAY_RECLAIM_MS,
  type ListOptions,
  type OutboxEntry,
  type RemovedRecord,
  type ResponseOutbox,
  type ResponseStore,
} from './response-store.js';

interface Stored {
  readonly record: ResponseRecord;
  readonly storedAt: number;
}

interface Pending {
  readonly entry: OutboxEntry;
  /** When the entry may be handed out again: 0 until taken, then taken time + reclaim. */
  availableAt: number;
}

/**
 * Responses and the outbox in this process's memory: the embedded default and tests. The
 * memory session store calls `append` in its commit, so a record is there exactly when the
 * session that produced it is.
 */
export class MemoryResponseStore implements ResponseStore, ResponseOutbox {
  private readonly byFlow = new Map<string, Stored[]>();
  private readonly pending = new Map<string, Pending>();
  private nextEntry = 1;
  private waiters: (() => void)[] = [];

  constructor(private readonly clock: () => Date) {}

  append(record: ResponseRecord): void {
    const storedAt = this.clock().getTime();
    const records = this.byFlow.get(record.flowId) ?? [];
    records.push({ record, storedAt });
    this.byFlow.set(record.flowId, records);
    const entryId = String(this.nextEntry++);
    this.pending.set(entryId, { entry: { entryId, record }, availableAt: 0 });
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  async *list(flowId: string, options: ListOptions = {}): AsyncIterable<ResponseRecord> {
    const since = options.since?.getTime() ?? -Infinity;
    for (const stored of this.byFlow.get(flowId) ?? []) {
      if (stored.storedAt >= since) yield stored.record;
    }
  }

  async count(flowId: string): Promise<number> {
    return this.byFlow.get(flowId)?.length ?? 0;
  }

  /**
   * Takes out the records `selected` picks, with their outbox entries: one respondent's
   * (erasure) or those stored before a flow's retention limit.
   */
  remove(selected: (record: ResponseRecord, storedAt: Date) => boolean): RemovedRecord[] {
    const outbox = new Map(
      [...this.pending].map(([entryId, p]) => [p.entry.record, { entryId, p }]),
    );
    const removed: RemovedRecord[] = [];
    for (const [flowId, records] of this.byFlow) {
      const kept: Stored[] = [];
      for (const stored of records) {
        if (!selected(stored.record, new Date(stored.storedAt))) {
          kept.push(stored);
          continue;
        }
        const waiting = outbox.get(stored.record);
        if (waiting !== undefined) this.pending.delete(waiting.entryId);
        removed.push({ record: stored.record, relayed: (waiting?.p.availableAt ?? 1) > 0 });
      }
      this.byFlow.set(flowId, kept);
    }
    return removed;
  }

  async take(_consumer: string, max: number, waitMs: number): Promise<OutboxEntry[]> {
    let taken = this.takeNow(max);
    if (taken.length > 0 || waitMs <= 0) return taken;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, waitMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    taken = this.takeNow(max);
    return taken;
  }

  async acknowledge(entryIds: readonly string[]): Promise<void> {
    for (const id of entryIds) this.pending.delete(id);
  }

  /** Wakes a relay waiting in `take`, so it can stop. */
  close(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private takeNow(max: number): OutboxEntry[] {
    const now = this.clock().getTime();
    const taken: OutboxEntry[] = [];
    for (const pending of this.pending.values()) {
      if (taken.length === max) break;
      if (pending.availableAt > now) continue;
      pending.availableAt = now + RELAY_RECLAIM_MS;
      taken.push(pending.entry);
    }
    return taken;
  }
}
