import type { Logger } from '../../logger.js';
import { classifySlackFailure, logSlackFailure } from './api-errors.js';
import type { SlackClient } from './client.js';
import { escapeMrkdwn } from './text.js';

/** Operational alerts for coordinators, e.g. a reminder job given up after its last attempt. */
export interface SlackAlerts {
  /**
   * Posts `text` to the alert channel. Name flows, job types and error codes, never a person:
   * no addresses, Slack ids, emails or anything they wrote. Never throws.
   */
  postAlert(text: string): Promise<void>;
}

export interface SlackAlertOptions {
  readonly client: SlackClient;
  /** `SLACK_ALERT_CHANNEL`; without it alerts only go to the log. */
  readonly channel: string | undefined;
  readonly logger: Logger;
  readonly clock: () => Date;
  /** The same alert text is posted at most once in this window, so an outage is not a flood. */
  readonly repeatWindowMs?: number | undefined;
}

const DEFAULT_REPEAT_WINDOW_MS = 15 * 60_000;
/** Posted alerts stay short; a long one is cut. */
const MAX_ALERT_LENGTH = 1_000;

/**
 * A second line of defence, as the logger's redaction list is: anything shaped like an email
 * address, a phone number or a Slack user mention is blanked before posting.
 */
const PERSONAL_PATTERNS: readonly RegExp[] = [
  /[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+/g,
  /\+\d[\d\s-]{7,}\d/g,
  /<@[A-Z0-9]+(\|[^>]*)?>/g,
  /\b[UW](?=[A-Z0-9]*\d)[A-Z0-9]{8,}\b/g,
];

export function createSlackAlerts(options: SlackAlertOptions): SlackAlerts {
  const window = options.repeatWindowMs ?? DEFAULT_REPEAT_WINDOW_MS;
  const lastPosted = new Map<string, number>();
  return {
    async postAlert(text: string): Promise<void> {
      const { client, channel, logger } = options;
      const safe = withoutPersonalData(text).slice(0, MAX_ALERT_LENGTH);
      logger.warn({ code: 'coordinator_alert', alert: safe }, 'alert for coordinators');
      if (channel === undefined) return;
      const now = options.clock().getTime();
      const previous = lastPosted.get(safe);
      if (previous !== undefined && now - previous < window) return;
      lastPosted.set(safe, now);
      if (lastPosted.size > 1_000) lastPosted.clear();
      try {
        await client.chat.postMessage({ channel, text: `:warning: ${escapeMrkdwn(safe)}` });
      } catch (error) {
        logSlackFailure(logger, classifySlackFailure(error), { alertChannel: true });
      }
    },
  };
}

export function withoutPersonalData(text: string): string {
  return PERSONAL_PATTERNS.reduce((result, pattern) => result.replace(pattern, '[removed]'), text);
}
