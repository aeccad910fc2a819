import { z } from 'zod';
import { DELIVERY_TYPES, type Delivery } from './delivery.js';

/**
 * Why a delivery is held for a coordinator: `dead_lettered` after the last attempt of the
 * schedule, `parked` because its partner is disabled (HTTP 410) or not set up here.
 */
export type HoldKind = 'dead_lettered' | 'parked';

/**
 * A delivery no longer being attempted, kept with its body so that a replay sends the same
 * bytes under the same `webhook-id`. It holds nothing personal beyond the pseudonymous record
 * content the partner would have received.
 */
export interface HeldDelivery {
  readonly delivery: Delivery;
  readonly kind: HoldKind;
  /** The last failure's stable code: `http_500`, `timeout`, `http_410`, `partner_disabled`, … */
  readonly reason: string;
  /** Attempts made; 0 for a delivery parked before its first. */
  readonly attempts: number;
  readonly queuedAt: string;
  readonly lastAttemptAt: string | null;
  readonly heldAt: string;
  /** Tells this holding from a later one of the same delivery (see `release`). */
  readonly holdId: string;
}

/** A partner that said 410 Gone: its deliveries are parked until a coordinator enables it. */
export interface DisabledPartner {
  readonly flowId: string;
  readonly partnerId: string;
  readonly reason: string;
  readonly since: string;
}

/** What became of attempts and deliveries, counted per flow and partner for /metrics. */
export const DELIVERY_RESULTS = ['delivered', 'retried', 'dead_lettered', 'parked'] as const;
export type DeliveryResult = (typeof DELIVERY_RESULTS)[number];

export interface PartnerCounts {
  readonly flowId: string;
  readonly partnerId: string;
  readonly counts: Readonly<Record<DeliveryResult, number>>;
}

export interface HeldFilter {
  readonly flowId?: string | undefined;
  readonly partnerId?: string | undefined;
  readonly kind?: HoldKind | undefined;
}

/**
 * Disabled partners, held deliveries and delivery counters, shared by every process (Redis)
 * or kept in this one (embedded mode).
 */
export interface PartnerState {
  isDisabled(flowId: string, partnerId: string): Promise<boolean>;
  /** Disables a partner; one disabled already keeps its first reason and time. */
  disable(partner: DisabledPartner): Promise<void>;
  /** True when the partner was disabled. */
  enable(flowId: string, partnerId: string): Promise<boolean>;
  disabledPartners(): Promise<DisabledPartner[]>;
  /** Holds a delivery (replacing an earlier holding of it) and counts it, in one step. */
  hold(held: HeldDelivery): Promise<void>;
  /** Held deliveries, oldest holding first. */
  held(filter?: HeldFilter): Promise<HeldDelivery[]>;
  /**
   * Forgets a holding once its delivery is queued again. A holding made since (the replayed
   * delivery failed again at once) has another `holdId` and stays.
   */
  release(deliveryId: string, holdId: string): Promise<boolean>;
  count(flowId: string, partnerId: string, result: 'delivered' | 'retried'): Promise<void>;
  counts(): Promise<PartnerCounts[]>;
}

/** A partner's key in the stores: flow ids and partner ids never contain '/'. */
export function partnerKey(flowId: string, partnerId: string): string {
  return `${flowId}/${partnerId}`;
}

export function matchesFilter(held: HeldDelivery, filter: HeldFilter | undefined): boolean {
  return (
    (filter?.flowId === undefined || held.delivery.flowId === filter.flowId) &&
    (filter?.partnerId === undefined || held.delivery.partnerId === filter.partnerId) &&
    (filter?.kind === undefined || held.kind === filter.kind)
  );
}

export function byHeldAt(a: HeldDelivery, b: HeldDelivery): number {
  return a.heldAt.localeCompare(b.heldAt) || a.delivery.id.localeCompare(b.delivery.id);
}

/** Adds one result to a table of counts by partner. */
export function addCount(
  table: Map<string, PartnerCounts>,
  flowId: string,
  partnerId: string,
  result: DeliveryResult,
  by: number,
): void {
  const key = partnerKey(flowId, partnerId);
  const current = table.get(key) ?? {
    flowId,
    partnerId,
    counts: { delivered: 0, retried: 0, dead_lettered: 0, parked: 0 },
  };
  table.set(key, {
    ...current,
    counts: { ...current.counts, [result]: current.counts[result] + by },
  });
}

/** Counts sorted by flow and partner, so /metrics lists series in a stable order. */
export function sortedCounts(table: Map<string, PartnerCounts>): PartnerCounts[] {
  return [...table.values()].sort(
    (a, b) => a.flowId.localeCompare(b.flowId) || a.partnerId.localeCompare(b.partnerId),
  );
}

const deliverySchema = z.object({
  id: z.string(),
  type: z.enum(DELIVERY_TYPES),
  flowId: z.string(),
  partnerId: z.string(),
  recordId: z.string(),
  body: z.string(),
});

const heldSchema = z.object({
  delivery: deliverySchema,
  kind: z.enum(['dead_lettered', 'parked']),
  reason: z.string(),
  attempts: z.number().int().min(0),
  queuedAt: z.string(),
  lastAttemptAt: z.string().nullable(),
  heldAt: z.string(),
  holdId: z.string(),
});

const disabledSchema = z.object({
  flowId: z.string(),
  partnerId: z.string(),
  reason: z.string(),
  since: z.string(),
});

/** A delivery read back from storage, or `undefined` when it is not one. */
export function parseDelivery(value: unknown): Delivery | undefined {
  const parsed = deliverySchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** Stored JSON, possibly written by an older release: parsed, or `undefined` when unreadable. */
export function parseHeld(json: string): HeldDelivery | undefined {
  const parsed = heldSchema.safeParse(safeJson(json));
  return parsed.success ? parsed.data : undefined;
}

export function parseDisabled(json: string): DisabledPartner | undefined {
  const parsed = disabledSchema.safeParse(safeJson(json));
  return parsed.success ? parsed.data : undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
