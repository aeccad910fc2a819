import type { Logger } from '../logger.js';
import type { Delivery, DeliveryOutcome, PartnerClient, PartnerTarget } from './delivery.js';
import type { FileSink } from './file-sink.js';
import type { WebhookSender } from './http-partner-client.js';

/**
 * The `PartnerClient` the delivery worker calls: one attempt, to a webhook or a file, and a
 * log line for every attempt that did not land (ids and reason only, never the body).
 */
export function createPartnerClient(parts: {
  readonly webhook: WebhookSender;
  readonly file: FileSink;
  readonly logger: Logger;
}): PartnerClient {
  return {
    async send(
      target: PartnerTarget,
      delivery: Delivery,
      attempt: number,
    ): Promise<DeliveryOutcome> {
      const outcome =
        target.kind === 'webhook'
          ? await parts.webhook(target, delivery)
          : await parts.file(target, delivery);
      if (outcome.result !== 'delivered') {
        parts.logger.warn(
          {
            code: outcome.result === 'gone' ? 'partner_gone' : 'partner_delivery_failed',
            partner: delivery.partnerId,
            delivery: delivery.id,
            attempt,
            reason: outcome.result === 'gone' ? 'http_410' : outcome.reason,
            status: outcome.status,
          },
          'partner delivery attempt did not land',
        );
      }
      return outcome;
    },
  };
}
