import type { SlackAlerts } from '../channels/slack/alerts.js';
import type { Config } from '../config.js';
import type { DeliveryQueue } from '../partners/delivery-queue.js';
import type { ConcernAlertSink } from './alerts.js';
import { slackConcernSink } from './slack-sink.js';
import { queuedConcernSink } from './webhook-sink.js';

/** Where concern alerts go: the Slack alert channel and the alert webhook, whichever are set up. */
export function concernSinks(
  config: Pick<Config, 'safeguarding'>,
  slackAlerts: SlackAlerts | undefined,
  deliveries: Pick<DeliveryQueue, 'enqueue'>,
): ConcernAlertSink[] {
  return [
    ...(slackAlerts === undefined ? [] : [slackConcernSink(slackAlerts)]),
    ...(config.safeguarding.alertWebhook === undefined ? [] : [queuedConcernSink(deliveries)]),
  ];
}
