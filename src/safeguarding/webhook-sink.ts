import { webhookIdFor } from '../partners/payload.js';
import type { Delivery, PartnerTarget } from '../partners/delivery.js';
import type { DeliveryQueue } from '../partners/delivery-queue.js';
import type { ConcernAlert, ConcernAlertSink } from './alerts.js';

/**
 * The receiver of concern alerts in the delivery queue. Not a valid partner id (flow partner
 * ids are lower-case words), so no flow's partner can be mistaken for it.
 */
export const COORDINATORS_RECEIVER = 'carevoice-coordinators';

/**
 * Concerns posted to the coordinators' own webhook (`ALERT_WEBHOOK_URL`) through the durable
 * partner delivery queue: retried on the partner schedule across restarts, dead-lettered
 * where coordinators look if the webhook stays down, and signed per Standard Webhooks with a
 * `webhook-id` fixed per concern. The body is `{ type: "concern.raised", timestamp, data }`
 * where `data` is the alert (pseudonymous ref, flow, step, category), never the message.
 */
export function queuedConcernSink(queue: Pick<DeliveryQueue, 'enqueue'>): ConcernAlertSink {
  return {
    name: 'webhook',
    deliver: (alert) => queue.enqueue([concernDelivery(alert)]),
  };
}

/** Where the delivery queue sends concern alerts, when the deployment has an alert webhook. */
export function coordinatorsTarget(
  alertWebhook: { readonly url: string; readonly secret: string } | undefined,
): PartnerTarget | undefined {
  return alertWebhook === undefined ? undefined : { kind: 'webhook', ...alertWebhook };
}

function concernDelivery(alert: ConcernAlert): Delivery {
  const concernId = `${alert.ref}:${alert.flowId}:${alert.stepId}:${alert.at}`;
  return {
    id: webhookIdFor('concern.raised', concernId, COORDINATORS_RECEIVER),
    type: 'concern.raised',
    flowId: alert.flowId,
    partnerId: COORDINATORS_RECEIVER,
    recordId: concernId,
    body: JSON.stringify({ type: 'concern.raised', timestamp: alert.at, data: alert }),
  };
}
