import { z } from 'zod';

/**
 * The parts of Slack's request bodies carevoice reads. Slack adds fields without notice, so
 * unknown keys are kept and ignored; what we rely on is checked.
 */
export const SLACK_USER_ID = /^[UW][A-Z0-9]{2,30}$/;
const userId = z.string().regex(SLACK_USER_ID);
const channelId = z.string().regex(/^[CDG][A-Z0-9]{2,30}$/);
/** A Slack timestamp, which is also a message's id within its channel. */
const messageTs = z.string().regex(/^\d{1,12}\.\d{1,9}$/);
/** Slack's limit for a message's text. */
const MAX_TEXT_LENGTH = 40_000;

/** `event_callback` with a `message` event (subscribed to as `message.im`). */
export const messageEventBody = z.looseObject({
  event_id: z.string().min(1).max(100),
  event: z.looseObject({
    type: z.literal('message'),
    channel: z.string(),
    channel_type: z.string().optional(),
    user: z.string().optional(),
    text: z.string().max(MAX_TEXT_LENGTH).optional(),
    subtype: z.string().optional(),
    bot_id: z.string().optional(),
  }),
});

/** A message a person typed in their DM with the app: the only messages carevoice answers. */
export interface DirectMessage {
  readonly eventId: string;
  readonly userId: string;
  readonly channel: string;
  readonly text: string;
}

/**
 * The direct message in an event body, or why it is none of ours: bots (the app's own
 * messages come back as events), edits, joins and other subtypes, and anything outside a DM.
 */
export function readDirectMessage(
  body: unknown,
):
  | { readonly ok: true; readonly message: DirectMessage }
  | { readonly ok: false; readonly reason: string } {
  const parsed = messageEventBody.safeParse(body);
  if (!parsed.success) return { ok: false, reason: 'not_a_message_event' };
  const { event, event_id: eventId } = parsed.data;
  if (event.bot_id !== undefined) return { ok: false, reason: 'bot_message' };
  if (event.subtype !== undefined) return { ok: false, reason: 'message_subtype' };
  if (event.channel_type !== 'im') return { ok: false, reason: 'not_a_direct_message' };
  const user = userId.safeParse(event.user);
  const channel = channelId.safeParse(event.channel);
  if (!user.success || !channel.success || event.text === undefined)
    return { ok: false, reason: 'incomplete_message' };
  return {
    ok: true,
    message: { eventId, userId: user.data, channel: channel.data, text: event.text },
  };
}

const selectedOption = z.looseObject({
  value: z.string().max(2000),
  text: z.looseObject({ text: z.string() }),
});

/** An interactivity request for a click in one of our messages. */
export const blockActionsBody = z.looseObject({
  type: z.literal('block_actions'),
  user: z.looseObject({ id: userId }),
  channel: z.looseObject({ id: channelId }),
  message: z.looseObject({ ts: messageTs, blocks: z.array(z.unknown()).max(100).default([]) }),
  state: z
    .looseObject({
      values: z.record(
        z.string(),
        z.record(
          z.string(),
          z.looseObject({ type: z.string(), selected_options: z.array(selectedOption).optional() }),
        ),
      ),
    })
    .optional(),
  actions: z
    .array(
      z.looseObject({
        type: z.string(),
        action_id: z.string().max(255),
        value: z.string().max(2000).optional(),
        text: z.looseObject({ text: z.string() }).optional(),
      }),
    )
    .min(1),
});

export type BlockActionsBody = z.infer<typeof blockActionsBody>;

/** A slash command (form fields; only these are read). */
export const slashCommandBody = z.looseObject({
  command: z.string(),
  user_id: userId,
  text: z.string().max(MAX_TEXT_LENGTH).default(''),
});
