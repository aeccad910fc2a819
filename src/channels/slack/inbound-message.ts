import { slackParticipant, type SlackChannelDeps } from './deps.js';
import type { DirectMessage } from './payloads.js';
import { deliverReplies, receiveWithRetries, strangerHelp } from './respond.js';
import { plainTextOf } from './text.js';

/**
 * A message typed in the DM: the answer to the waiting question (the engine gathers a story
 * told over several messages), a keyword that starts a flow, or a word such as STOP, HELP or
 * CYMRAEG. The event id is the message id, so Slack's retries of an event (and a second
 * delivery to another process) are answered once.
 */
export async function handleDirectMessage(
  deps: SlackChannelDeps,
  message: DirectMessage,
  retryNum: number | undefined,
): Promise<void> {
  const key = slackParticipant(message.userId);
  const outcome = await receiveWithRetries(
    deps,
    key,
    { type: 'text', text: plainTextOf(message.text) },
    message.eventId,
  );
  if (outcome === undefined) return;
  if (outcome.duplicate) {
    deps.logger.info(
      { code: 'duplicate_event', ref: deps.refOf(key), retryNum },
      'slack event already handled',
    );
    return;
  }
  const replies =
    outcome.status === 'none' && outcome.replies.length === 0
      ? await strangerHelp(deps, key)
      : outcome.replies;
  await deliverReplies(deps, key, message.channel, replies);
}
