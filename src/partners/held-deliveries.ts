import type { Delivery } from './delivery.js';
import type { DeliveryQueue } from './delivery-queue.js';
import {
  partnerKey,
  type DisabledPartner,
  type HeldDelivery,
  type HeldFilter,
  type PartnerState,
} from './partner-state.js';

/** A held delivery as coordinators see it: ids, reason, attempts and times; never the body. */
export type HeldDeliveryView = Pick<Delivery, 'id' | 'type' | 'flowId' | 'partnerId' | 'recordId'> &
  Pick<HeldDelivery, 'kind' | 'reason' | 'attempts' | 'queuedAt' | 'lastAttemptAt' | 'heldAt'>;

export interface DeliveriesOverview {
  readonly held: HeldDeliveryView[];
  readonly disabledPartners: DisabledPartner[];
}

/** Which held deliveries to send again: by id, or all (of a flow or partner). */
export type ReplaySelection =
  | { readonly ids: readonly string[] }
  | {
      readonly all: true;
      readonly flowId?: string | undefined;
      readonly partnerId?: string | undefined;
    };

export type ReplaySkipReason = 'not_held' | 'partner_disabled';

export interface ReplayResult {
  readonly replayed: string[];
  readonly skipped: { readonly id: string; readonly reason: ReplaySkipReason }[];
}

/**
 * What coordinators do about deliveries that stopped: list them, send them again (fresh
 * attempts, the same `webhook-id` and body), and turn a disabled partner back on. The CLI and
 * the admin API both call this.
 */
export class HeldDeliveries {
  constructor(
    private readonly state: PartnerState,
    private readonly queue: Pick<DeliveryQueue, 'requeue'>,
  ) {}

  async overview(filter?: HeldFilter): Promise<DeliveriesOverview> {
    const [held, disabled] = await Promise.all([
      this.state.held(filter),
      this.state.disabledPartners(),
    ]);
    return {
      held: held.map(view),
      disabledPartners: disabled.filter(
        (p) =>
          (filter?.flowId === undefined || p.flowId === filter.flowId) &&
          (filter?.partnerId === undefined || p.partnerId === filter.partnerId),
      ),
    };
  }

  /**
   * Queues the selected deliveries again. A delivery whose partner is still disabled is
   * skipped (it would only be parked again): enabling the partner sends those.
   */
  async replay(selection: ReplaySelection): Promise<ReplayResult> {
    const held =
      'ids' in selection
        ? await this.state.held()
        : await this.state.held({ flowId: selection.flowId, partnerId: selection.partnerId });
    const byId = new Map(held.map((h) => [h.delivery.id, h]));
    const wanted =
      'ids' in selection ? [...new Set(selection.ids)] : held.map((h) => h.delivery.id);
    const disabled = new Set(
      (await this.state.disabledPartners()).map((p) => partnerKey(p.flowId, p.partnerId)),
    );
    const result: ReplayResult = { replayed: [], skipped: [] };
    for (const id of wanted) {
      const entry = byId.get(id);
      if (entry === undefined) {
        result.skipped.push({ id, reason: 'not_held' });
      } else if (disabled.has(partnerKey(entry.delivery.flowId, entry.delivery.partnerId))) {
        result.skipped.push({ id, reason: 'partner_disabled' });
      } else {
        await this.send(entry);
        result.replayed.push(id);
      }
    }
    return result;
  }

  /** Enables a partner and sends its parked deliveries again. */
  async enable(
    flowId: string,
    partnerId: string,
  ): Promise<{ readonly wasDisabled: boolean; readonly replayed: string[] }> {
    const wasDisabled = await this.state.enable(flowId, partnerId);
    const parked = await this.state.held({ flowId, partnerId, kind: 'parked' });
    for (const entry of parked) await this.send(entry);
    return { wasDisabled, replayed: parked.map((h) => h.delivery.id) };
  }

  /** Queued first, released after: a failure in between leaves it listed, never lost. */
  private async send(entry: HeldDelivery): Promise<void> {
    await this.queue.requeue(entry.delivery);
    await this.state.release(entry.delivery.id, entry.holdId);
  }
}

function view(held: HeldDelivery): HeldDeliveryView {
  const { delivery } = held;
  return {
    id: delivery.id,
    type: delivery.type,
    flowId: delivery.flowId,
    partnerId: delivery.partnerId,
    recordId: delivery.recordId,
    kind: held.kind,
    reason: held.reason,
    attempts: held.attempts,
    queuedAt: held.queuedAt,
    lastAttemptAt: held.lastAttemptAt,
    heldAt: held.heldAt,
  };
}
