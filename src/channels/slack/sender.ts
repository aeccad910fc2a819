import type { Reply, Translate } from '../../engine/types.js';
import type { Logger } from '../../logger.js';
import type { ParticipantKey, SessionStore } from '../../store/session-store.js';
import type { OutboundSender } from '../outbound.js';
import { logSlackFailure, SlackSendError, type SlackFailure } from './api-errors.js';
import type { SlackClient } from './client.js';
import { openDirectMessage, postReplies } from './post.js';
import { chatLabelsFor } from './wording.js';

export interface SlackSenderOptions {
  /** From `createSlackClient`, with its short retry policy. */
  readonly client: SlackClient;
  /** For the person's language, for the few labels the channel adds. */
  readonly store: SessionStore;
  readonly translate: Translate;
  readonly refOf: (key: ParticipantKey) => string;
  readonly logger: Logger;
}

/** A key of another channel was handed to the Slack sender: a wiring mistake of ours. */
export class SlackAddressError extends Error {
  readonly code = 'channel_not_slack';
  constructor(channel: string) {
    super(`the ${channel} channel is not sent through Slack`);
    this.name = 'SlackAddressError';
  }
}

/**
 * Sends replies nobody is waiting on (reminders) as direct messages from the app: opens the
 * DM with the person (their Slack user id is the participant address) and posts each reply
 * with buttons, as an answer to a message would be.
 *
 * Like the Twilio sender, it throws only when nothing was sent and a later try may work
 * (Slack busy or unreachable), so the job queue's retry cannot post anything twice. A person
 * the app cannot reach, or an app Slack refuses, is logged and not retried.
 */
export class SlackSender implements OutboundSender {
  constructor(private readonly options: SlackSenderOptions) {}

  async send(
    key: ParticipantKey,
    replies: readonly Reply[],
    context: { readonly flowId?: string | undefined } = {},
  ): Promise<void> {
    if (key.channel !== 'slack') throw new SlackAddressError(key.channel);
    const { client, logger } = this.options;
    const about = { ref: this.options.refOf(key), channel: key.channel, flowId: context.flowId };
    if (replies.length === 0) return;
    const dm = await openDirectMessage(client, key.address);
    if (!dm.ok) {
      this.failed(about, dm.failure, 0);
      return;
    }
    const report = await postReplies(client, dm.channel, replies, chatLabelsFor(this.options, key));
    if (report.failure !== undefined) {
      this.failed(about, report.failure, report.sent);
      return;
    }
    logger.debug({ ...about, sent: report.sent }, 'slack messages sent');
  }

  private failed(
    about: Readonly<Record<string, unknown>>,
    failure: SlackFailure,
    sent: number,
  ): void {
    logSlackFailure(this.options.logger, failure, { ...about, sent });
    if (sent === 0 && failure.retryable) throw new SlackSendError(failure);
  }
}
