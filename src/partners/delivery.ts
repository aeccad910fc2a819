/**
 * What one partner is sent about one response, and the ports that send it. A delivery's `id`
 * is the Standard Webhooks `webhook-id`: fixed when the delivery is created and the same on
 * every retry, so a partner can drop a repeat.
 */
/** `concern.raised` goes to the coordinators' alert webhook (`ALERT_WEBHOOK_URL`), never to a partner. */
export const DELIVERY_TYPES = [
  'response.completed',
  'response.partial',
  'response.erased',
  'concern.raised',
] as const;
export type DeliveryType = (typeof DELIVERY_TYPES)[number];

export interface Delivery {
  /** `webhook-id`: `msg_` + a hash of the record id and the partner id. */
  readonly id: string;
  readonly type: DeliveryType;
  readonly flowId: string;
  readonly partnerId: string;
  readonly recordId: string;
  /** The JSON body exactly as sent and signed; built once, so every retry sends the same bytes. */
  readonly body: string;
}

/** Where a partner takes its deliveries, resolved from the flow file and the environment. */
export type PartnerTarget =
  | {
      readonly kind: 'webhook';
      readonly url: string;
      /** The signing secret (`whsec_…`), read from the variable the flow file names. */
      readonly secret: string;
    }
  | { readonly kind: 'file'; readonly path: string };

/**
 * How one attempt went. `retry` comes back later (after `retryAfterMs` if the partner said so);
 * `gone` (HTTP 410) disables the partner until a coordinator turns it back on.
 */
export type DeliveryOutcome =
  | {
      readonly result: 'delivered';
      /** The partner's HTTP status; absent for a file, which has none. */
      readonly status?: number | undefined;
    }
  | {
      readonly result: 'retry';
      /** A stable code: `http_500`, `http_429`, `redirect`, `timeout`, `connection_reset`, `address_refused`, … */
      readonly reason: string;
      readonly status?: number | undefined;
      readonly retryAfterMs?: number | undefined;
    }
  | { readonly result: 'gone'; readonly status: 410 };

/** Makes one delivery attempt. Never throws: every failure is an outcome. */
export interface PartnerClient {
  send(target: PartnerTarget, delivery: Delivery, attempt: number): Promise<DeliveryOutcome>;
}
