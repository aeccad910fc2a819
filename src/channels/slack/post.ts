import { z } from 'zod';
import type { Reply } from '../../engine/types.js';
import { classifySlackFailure, type SlackFailure } from './api-errors.js';
import { renderForSlack, type ChatLabels } from './blocks.js';
import type { SlackClient } from './client.js';

const openedSchema = z.object({ channel: z.object({ id: z.string().min(1) }) });

/**
 * The app's DM with a person (opened if new; the same channel every time), or the reason
 * Slack gave for not opening it.
 */
export async function openDirectMessage(
  client: SlackClient,
  userId: string,
): Promise<
  | { readonly ok: true; readonly channel: string }
  | { readonly ok: false; readonly failure: SlackFailure }
> {
  try {
    const opened = openedSchema.safeParse(await client.conversations.open({ users: userId }));
    if (opened.success) return { ok: true, channel: opened.data.channel.id };
    return { ok: false, failure: { kind: 'refused', code: 'channel_missing', retryable: false } };
  } catch (error) {
    return { ok: false, failure: classifySlackFailure(error) };
  }
}

/** What `postReplies` did: replies go in order, and the first failure stops the rest. */
export interface PostReport {
  readonly sent: number;
  readonly failure?: SlackFailure | undefined;
}

/**
 * Posts replies to a channel one after another. A failure stops the rest: a question
 * posted after a lost message would read out of order.
 */
export async function postReplies(
  client: SlackClient,
  channel: string,
  replies: readonly Reply[],
  labels: () => Promise<ChatLabels>,
): Promise<PostReport> {
  let sent = 0;
  for (const reply of replies) {
    const needsLabels = reply.type === 'question' && reply.multiple;
    const message = renderForSlack(reply, needsLabels ? await labels() : NO_LABELS);
    try {
      await client.chat.postMessage({
        channel,
        text: message.text,
        blocks: message.blocks,
        unfurl_links: false,
        unfurl_media: false,
      });
    } catch (error) {
      return { sent, failure: classifySlackFailure(error) };
    }
    sent++;
  }
  return { sent };
}

/** Only a multiple choice shows a label of ours; other replies never read it. */
const NO_LABELS: ChatLabels = { done: '' };
