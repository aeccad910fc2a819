import type { SlackAlerts } from '../channels/slack/alerts.js';
import { concernAlertText, type ConcernAlertSink } from './alerts.js';

/** Concerns go to the Slack alert channel (`SLACK_ALERT_CHANNEL`) like other coordinator alerts. */
export function slackConcernSink(alerts: SlackAlerts): ConcernAlertSink {
  return {
    name: 'slack',
    deliver: (alert) => alerts.postAlert(concernAlertText(alert)),
  };
}
