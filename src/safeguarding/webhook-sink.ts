import { webhookIdFor } from '../partners/payload.js';
import type { Delivery } from '../partners/delivery.js';
import type { WebhookSender } from '../partners/http-partner-client.js';
import type { ConcernAlert, ConcernAlertSink } from './alerts.js';

/** Attempts of one alert, and the waits between them: an alert is worth a prompt retry or two. */
const RETRY_DELAYS_MS = [1_000, 5_000] as const;
/** Who the delivery is for in logs: the deployment's coordinators, not a partner. */
const ALERT_RECEIVER = 'coordinators';

export class ConcernAlertError extends Error {
  constructor(readonly code: string) {
    super(`the alert webhook did not take the concern alert (${code})`);
    this.name = 'ConcernAlertError';
  }
}

export interface WebhookSinkOptions {
  readonly send: WebhookSender;
  /** `ALERT_WEBHOOK_URL` and `ALERT_WEBHOOK_SECRET`. */
  readonly target: { readonly url: string; readonly secret: string };
  /** Waits between attempts; a test passes one that resolves at once. */
  readonly wait?: ((ms: number) => Promise<void>) | undefined;
}

/**
 * Concerns posted to the coordinators' own webhook through the partner HTTP client: signed
 * per Standard Webhooks (`webhook-id` fixed per concern, so a repeat can be dropped), under
 * the same address guard, with a body of `{ type: "concern.raised", timestamp, data }` where
 * `data` is the alert (pseudonymous ref, flow, step, category), never the message.
 */
export function webhookConcernSink(options: WebhookSinkOptions): ConcernAlertSink {
  const wait =
    options.wait ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  return {
    name: 'webhook',
    async deliver(alert) {
      const delivery = concernDelivery(alert);
      const target = { kind: 'webhook' as const, ...options.target };
      let reason = 'not_sent';
      for (let attempt = 0; attempt <= RETRY_DELAYS_MS.length; attempt++) {
        if (attempt > 0) await wait(RETRY_DELAYS_MS[attempt - 1] ?? 0);
        const outcome = await options.send(target, delivery);
        if (outcome.result === 'delivered') return;
        if (outcome.result === 'gone') throw new ConcernAlertError('http_410');
        reason = outcome.reason;
      }
      throw new ConcernAlertError(reason);
    },
  };
}

function concernDelivery(alert: ConcernAlert): Delivery {
  const concernId = `${alert.ref}:${alert.flowId}:${alert.stepId}:${alert.at}`;
  return {
    id: webhookIdFor('concern.raised', concernId, ALERT_RECEIVER),
    type: 'concern.raised',
    flowId: alert.flowId,
    partnerId: ALERT_RECEIVER,
    recordId: concernId,
    body: JSON.stringify({ type: 'concern.raised', timestamp: alert.at, data: alert }),
  };
}
