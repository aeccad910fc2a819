import type { Flow } from '../flow/flow.js';
import type { Delivery } from '../partners/delivery.js';
import type { HeldDelivery } from '../partners/partner-state.js';
import { deliveriesFor, erasureNoticeFor } from '../partners/payload.js';
import type { ResponseRecord } from '../responses/record.js';

/** The flow registry's lookup: the exact version when given, else the live one. */
export interface FlowLookup {
  get(id: string, version?: string): Flow | undefined;
}

/** Which deliveries to withdraw for erased records, and the notices that follow. */
export interface NoticePlan {
  /** Every delivery that may exist for the records, in any partner's queue. */
  readonly deliveryIds: readonly string[];
  /**
   * A `response.erased` notice for each partner that may hold a record: every partner whose
   * delivery was not withdrawn before its first attempt (`unsent`) nor held before one.
   */
  notices(unsent: ReadonlySet<string>): Delivery[];
}

interface Candidate {
  readonly record: Pick<ResponseRecord, 'id' | 'flowId'>;
  readonly partnerId: string;
  readonly deliveryId: string;
  /** Held (parked) before any attempt: the partner never had it. */
  readonly neverSent: boolean;
}

/**
 * The partners a record went to, or may have: those of the version it was recorded on and of
 * the live version (a partner added since may have had it by a replay), and any partner of a
 * held delivery. When in doubt a partner is told: a notice about a record a partner never
 * got costs it a lookup; a record left with a partner after its respondent asked to be
 * forgotten is a breach.
 */
export function partnerNotices(
  records: readonly ResponseRecord[],
  held: readonly HeldDelivery[],
  flows: FlowLookup,
  erasedAt: Date,
): NoticePlan {
  const candidates = new Map<string, Candidate>();
  for (const record of records) {
    const versions = [flows.get(record.flowId, record.flowVersion), flows.get(record.flowId)];
    for (const flow of versions) {
      if (flow === undefined) continue;
      for (const delivery of deliveriesFor(record, flow)) {
        candidates.set(delivery.id, {
          record,
          partnerId: delivery.partnerId,
          deliveryId: delivery.id,
          neverSent: false,
        });
      }
    }
  }
  for (const entry of held) {
    const { delivery } = entry;
    candidates.set(delivery.id, {
      record: { id: delivery.recordId, flowId: delivery.flowId },
      partnerId: delivery.partnerId,
      deliveryId: delivery.id,
      neverSent: entry.attempts === 0,
    });
  }
  return {
    deliveryIds: [...candidates.keys()],
    notices: (unsent) => {
      const notices = new Map<string, Delivery>();
      for (const candidate of candidates.values()) {
        if (candidate.neverSent || unsent.has(candidate.deliveryId)) continue;
        const notice = erasureNoticeFor(candidate.record, candidate.partnerId, erasedAt);
        notices.set(notice.id, notice);
      }
      return [...notices.values()];
    },
  };
}
