import type { MemoryResponseStore } from '../responses/memory-response-store.js';
import type { RemovedRecord } from '../responses/response-store.js';

/**
 * Runs after a respondent's records are found and their outbox entries withdrawn, and before
 * the records themselves are deleted: partners are told while the facts are still at hand,
 * so a failure here leaves the records in place for the erasure to be run again.
 */
export type BeforeRecordsDeleted = (removed: readonly RemovedRecord[]) => Promise<void>;

/** Takes response records out of storage: one respondent's (erasure) or a flow's old ones (retention). */
export interface RecordEraser {
  /** The records of the respondent with this pseudonymous ref, their outbox entries and index, all removed. */
  eraseRespondent(respondent: string, before: BeforeRecordsDeleted): Promise<RemovedRecord[]>;
  /**
   * Removes every record stored before its flow's cutoff (flows no longer loaded included),
   * with its index entry; returns the removed record ids by flow.
   */
  purgeExpired(cutoffOf: (flowId: string) => Date): Promise<Map<string, string[]>>;
  /** When the oldest record of a flow was stored, if it has any. */
  oldestStoredAt(flowId: string): Promise<Date | undefined>;
}

/** The embedded mode's records, in the memory store (identified by their pseudonymous respondent). */
export class MemoryRecordEraser implements RecordEraser {
  constructor(private readonly store: MemoryResponseStore) {}

  async eraseRespondent(
    respondent: string,
    before: BeforeRecordsDeleted,
  ): Promise<RemovedRecord[]> {
    // In one process nothing can fail between the two steps, so the order matters less here.
    const removed = this.store.remove((record) => record.respondent === respondent);
    await before(removed);
    return removed;
  }

  async purgeExpired(cutoffOf: (flowId: string) => Date): Promise<Map<string, string[]>> {
    const purged = new Map<string, string[]>();
    const removed = this.store.remove((record, storedAt) => storedAt < cutoffOf(record.flowId));
    for (const { record } of removed) {
      purged.set(record.flowId, [...(purged.get(record.flowId) ?? []), record.id]);
    }
    return purged;
  }

  /** A memory record is stored the moment its session ends, so its `endedAt` is when. */
  async oldestStoredAt(flowId: string): Promise<Date | undefined> {
    for await (const record of this.store.list(flowId)) return new Date(record.endedAt);
    return undefined;
  }
}
