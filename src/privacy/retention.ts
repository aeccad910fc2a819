import { DEFAULT_RETENTION_MS, type Flow } from '../flow/flow.js';
import type { Logger } from '../logger.js';
import type { PartnerState } from '../partners/partner-state.js';
import type { RecordEraser } from './record-eraser.js';
import type { HistoryPruner } from './redis-history-pruner.js';

export interface RetentionDeps {
  readonly flows: { list(): readonly Flow[] };
  readonly records: RecordEraser;
  /** Held deliveries (dead letters, parked) carry a record's body: they go with the record. */
  readonly partners: Pick<PartnerState, 'held' | 'release'>;
  /** Participants' ended sessions; the embedded mode loses them on restart anyway. */
  readonly history?: HistoryPruner | undefined;
  readonly clock: () => Date;
  readonly logger: Logger;
}

export interface RetentionReport {
  /** Records removed, by flow. */
  readonly records: Readonly<Record<string, number>>;
  readonly heldDeliveries: number;
  readonly historyEntries: number;
}

/**
 * Removes what has outlived its flow's `retention`: response records (counted from when they
 * were stored), the held deliveries that carry them, and ended sessions in participants'
 * history. A flow no longer loaded keeps the default, twelve months. Safe to run twice or in
 * two processes at once: each removal is of what is already past its time.
 */
export async function purgeExpired(deps: RetentionDeps): Promise<RetentionReport> {
  const now = deps.clock().getTime();
  const retention = new Map(deps.flows.list().map((flow) => [flow.id, flow.retentionMs]));
  const cutoffOf = (flowId: string): Date =>
    new Date(now - (retention.get(flowId) ?? DEFAULT_RETENTION_MS));

  const purged = await deps.records.purgeExpired(cutoffOf);
  const gone = new Set([...purged.values()].flat());
  let heldDeliveries = 0;
  if (gone.size > 0) {
    for (const held of await deps.partners.held()) {
      if (!gone.has(held.delivery.recordId)) continue;
      if (await deps.partners.release(held.delivery.id, held.holdId)) heldDeliveries += 1;
    }
  }
  const historyEntries = (await deps.history?.prune(cutoffOf)) ?? 0;
  const report: RetentionReport = {
    records: Object.fromEntries([...purged].map(([flowId, ids]) => [flowId, ids.length])),
    heldDeliveries,
    historyEntries,
  };
  deps.logger.info({ code: 'retention_purged', ...report }, 'data past its retention removed');
  return report;
}
