import type { types } from '@slack/bolt';
import { z } from 'zod';
import type { Reply, ReplyOption } from '../../engine/types.js';
import {
  ANSWER_ACTION_PREFIX,
  answerValue,
  DONE_ACTION_ID,
  doneValue,
  PICK_ACTION_PREFIX,
} from './action-values.js';
import { escapeMrkdwn, fitTo } from './text.js';

type Block = types.KnownBlock;

/** Wording the channel adds around the engine's replies, in the person's language. */
export interface ChatLabels {
  /** The button that sends the ticked boxes of a multiple choice. */
  readonly done: string;
}

/** A chat.postMessage / chat.update body: blocks, and `text` for notifications and screen readers. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: Block[];
}

/** Block Kit limits (https://docs.slack.dev/reference/block-kit). */
const SECTION_TEXT_LIMIT = 3000;
const BUTTON_LABEL_LIMIT = 75;
const CHECKBOX_OPTIONS_LIMIT = 10;
const ACTIONS_ELEMENTS_LIMIT = 25;

const BLOCK_IDS = {
  text: 'cv_text',
  hint: 'cv_hint',
  answers: 'cv_answers',
  chosen: 'cv_chosen',
} as const;

/**
 * A reply as a Slack message. Questions with options get buttons (checkboxes and a Done
 * button when several may be chosen) and no numbers; typed answers still work. The SMS hint
 * is dropped where the buttons say it ("Reply YES or NO") and kept where it still helps
 * (what the ends of a scale mean, the range of a number). Flow text is plain text, so a `*`
 * or `_` in a translation is never taken as formatting.
 */
export function renderForSlack(reply: Reply, labels: ChatLabels): SlackMessage {
  const blocks = textSections(reply.text);
  if (reply.type === 'message') return { text: escapeMrkdwn(reply.text), blocks };
  const elements = answerElements(reply, labels);
  const hintHelps = reply.ask === 'scale' || reply.ask === 'number' || elements.length === 0;
  if (reply.hint !== undefined && hintHelps) {
    blocks.push({
      type: 'context',
      block_id: BLOCK_IDS.hint,
      elements: [plain(reply.hint)],
    });
  }
  if (elements.length > 0) blocks.push({ type: 'actions', block_id: BLOCK_IDS.answers, elements });
  return { text: escapeMrkdwn(reply.text), blocks };
}

function answerElements(
  reply: Extract<Reply, { type: 'question' }>,
  labels: ChatLabels,
): types.ActionsBlockElement[] {
  const { options, stepId } = reply;
  if (options.length === 0) return [];
  if (reply.multiple) {
    const groups = chunk(options, CHECKBOX_OPTIONS_LIMIT);
    if (groups.length + 1 > ACTIONS_ELEMENTS_LIMIT) return [];
    return [
      ...groups.map((group, index): types.Checkboxes => ({
        type: 'checkboxes',
        action_id: `${PICK_ACTION_PREFIX}${index}`,
        options: group.map((option) => ({
          text: plain(fitTo(option.label, BUTTON_LABEL_LIMIT)),
          value: answerValue(stepId, option.key),
        })),
      })),
      {
        type: 'button',
        action_id: DONE_ACTION_ID,
        style: 'primary',
        text: plain(fitTo(labels.done, BUTTON_LABEL_LIMIT)),
        value: doneValue(stepId),
      },
    ];
  }
  // A long scale (0 to 100) is answered by typing, as the hint says.
  if (options.length > ACTIONS_ELEMENTS_LIMIT) return [];
  return options.map((option, index): types.Button => ({
    type: 'button',
    action_id: `${ANSWER_ACTION_PREFIX}${index}`,
    text: plain(fitTo(option.label, BUTTON_LABEL_LIMIT)),
    value: answerValue(stepId, option.key),
  }));
}

const sectionSchema = z.object({
  type: z.literal('section'),
  text: z.object({ type: z.enum(['plain_text', 'mrkdwn']), text: z.string() }),
});

/**
 * The message a person clicked, answered: its text as it was, the buttons and hint gone so
 * nothing can be answered twice, and what they chose underneath (nothing when the click
 * was not taken, e.g. a question already answered by typing).
 */
export function answeredMessage(
  clickedBlocks: readonly unknown[],
  chosen: readonly string[],
): SlackMessage {
  const sections = clickedBlocks.flatMap((block) => {
    const parsed = sectionSchema.safeParse(block);
    return parsed.success ? [parsed.data.text] : [];
  });
  const blocks: Block[] = sections.map((text, index): types.SectionBlock => ({
    type: 'section',
    block_id: `${BLOCK_IDS.text}_${index}`,
    text: text.type === 'plain_text' ? plain(text.text) : { type: 'mrkdwn', text: text.text },
  }));
  const question = sections.map((text) => text.text).join('\n');
  if (chosen.length === 0) return { text: escapeMrkdwn(question), blocks };
  const answer = chosen.map((label) => `*${escapeMrkdwn(label)}*`).join(', ');
  blocks.push({
    type: 'context',
    block_id: BLOCK_IDS.chosen,
    elements: [{ type: 'mrkdwn', text: `✅ ${answer}` }],
  });
  return { text: `${escapeMrkdwn(question)}\n✅ ${answer}`, blocks };
}

/** Long texts become several sections: one section holds at most 3000 characters. */
function textSections(text: string): Block[] {
  const characters = [...text];
  const sections: Block[] = [];
  for (let start = 0; start < characters.length; start += SECTION_TEXT_LIMIT) {
    sections.push({
      type: 'section',
      block_id: `${BLOCK_IDS.text}_${sections.length}`,
      text: plain(characters.slice(start, start + SECTION_TEXT_LIMIT).join('')),
    });
  }
  return sections;
}

function plain(text: string): types.PlainTextElement {
  return { type: 'plain_text', text, emoji: true };
}

function chunk(options: readonly ReplyOption[], size: number): ReplyOption[][] {
  const groups: ReplyOption[][] = [];
  for (let start = 0; start < options.length; start += size)
    groups.push(options.slice(start, start + size));
  return groups;
}
