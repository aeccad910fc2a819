import {
  addCount,
  byHeldAt,
  matchesFilter,
  partnerKey,
  sortedCounts,
  type DisabledPartner,
  type HeldDelivery,
  type HeldFilter,
  type PartnerCounts,
  type PartnerState,
} from './partner-state.js';

/** Partner state in this process, for the embedded mode and tests: lost on restart. */
export class MemoryPartnerState implements PartnerState {
  private readonly disabled = new Map<string, DisabledPartner>();
  private readonly holdings = new Map<string, HeldDelivery>();
  private readonly table = new Map<string, PartnerCounts>();

  async isDisabled(flowId: string, partnerId: string): Promise<boolean> {
    return this.disabled.has(partnerKey(flowId, partnerId));
  }

  async disable(partner: DisabledPartner): Promise<void> {
    const key = partnerKey(partner.flowId, partner.partnerId);
    if (!this.disabled.has(key)) this.disabled.set(key, partner);
  }

  async enable(flowId: string, partnerId: string): Promise<boolean> {
    return this.disabled.delete(partnerKey(flowId, partnerId));
  }

  async disabledPartners(): Promise<DisabledPartner[]> {
    return [...this.disabled.values()].sort((a, b) => a.since.localeCompare(b.since));
  }

  async hold(held: HeldDelivery): Promise<void> {
    this.holdings.set(held.delivery.id, held);
    addCount(this.table, held.delivery.flowId, held.delivery.partnerId, held.kind, 1);
  }

  async held(filter?: HeldFilter): Promise<HeldDelivery[]> {
    return [...this.holdings.values()].filter((h) => matchesFilter(h, filter)).sort(byHeldAt);
  }

  async release(deliveryId: string, holdId: string): Promise<boolean> {
    if (this.holdings.get(deliveryId)?.holdId !== holdId) return false;
    return this.holdings.delete(deliveryId);
  }

  async count(flowId: string, partnerId: string, result: 'delivered' | 'retried'): Promise<void> {
    addCount(this.table, flowId, partnerId, result, 1);
  }

  async counts(): Promise<PartnerCounts[]> {
    return sortedCounts(this.table);
  }
}
