import type { SlackAlerts } from '../channels/slack/alerts.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { createWebhookSender } from '../partners/http-partner-client.js';
import type { ConcernAlertSink } from './alerts.js';
import { slackConcernSink } from './slack-sink.js';
import { webhookConcernSink } from './webhook-sink.js';

/** Where concern alerts go: the Slack alert channel and the alert webhook, whichever are set up. */
export function concernSinks(
  config: Pick<Config, 'safeguarding' | 'partnerHttpHosts'>,
  slackAlerts: SlackAlerts | undefined,
  parts: { readonly logger: Logger; readonly clock: () => Date },
): ConcernAlertSink[] {
  const { alertWebhook } = config.safeguarding;
  return [
    ...(slackAlerts === undefined ? [] : [slackConcernSink(slackAlerts)]),
    ...(alertWebhook === undefined
      ? []
      : [
          webhookConcernSink({
            send: createWebhookSender({ httpHosts: config.partnerHttpHosts, ...parts }),
            target: alertWebhook,
          }),
        ]),
  ];
}
