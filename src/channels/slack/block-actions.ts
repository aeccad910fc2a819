import type { ParticipantKey, SessionStore } from '../../store/session-store.js';
import { classifySlackFailure, logSlackFailure } from './api-errors.js';
import {
  ANSWER_ACTION_PREFIX,
  DONE_ACTION_ID,
  PICK_ACTION_PREFIX,
  readAnswerValue,
  readDoneValue,
} from './action-values.js';
import { answeredMessage, type SlackMessage } from './blocks.js';
import { slackParticipant, type SlackChannelDeps } from './deps.js';
import type { BlockActionsBody } from './payloads.js';
import { deliverReplies, receiveWithRetries } from './respond.js';

const UNKNOWN = Symbol('unknown');
const ANSWERED = Symbol('answered');

/** A click that answers: the step it answers, the option keys, and their labels to show. */
interface Answer {
  readonly stepId: string;
  readonly values: readonly string[];
  readonly labels: readonly string[];
}

/**
 * A click in one of our questions. Ticking a checkbox only changes what Slack shows; an
 * answer button or Done answers, as a `choice` input for the step in the button's value.
 *
 * Each question message takes one answer: the message id given to the conversation service
 * is the clicked message (channel and ts), so a double click, or clicks on two buttons
 * before the message is updated, record one answer (the service drops the second as a
 * duplicate, atomically, in the person's turn) and the second click changes nothing. The
 * message is then updated: buttons gone, the choice shown. A button of a question that is
 * no longer waiting (answered by typing, or the flow ended) answers nothing; its buttons are
 * removed.
 */
export async function handleBlockAction(
  deps: SlackChannelDeps,
  body: BlockActionsBody,
): Promise<void> {
  const action = body.actions[0];
  if (action === undefined || action.action_id.startsWith(PICK_ACTION_PREFIX)) return;
  const answer = readAnswer(body);
  if (answer === undefined) {
    deps.logger.debug({ code: 'unknown_action' }, 'slack click ignored: not one of ours');
    return;
  }
  const key = slackParticipant(body.user.id);
  const channel = body.channel.id;
  const { ts, blocks } = body.message;
  const messageId = `click:${channel}:${ts}`;
  const waiting = await waitingStep(deps.store, key, messageId);
  // A second click on a message already answered: the first click's update stands.
  if (waiting === ANSWERED) return;
  if (waiting !== UNKNOWN && waiting !== answer.stepId) {
    deps.logger.info(
      { code: 'stale_click', ref: deps.refOf(key) },
      'slack click on an old question',
    );
    await updateMessage(deps, channel, ts, answeredMessage(blocks, []));
    return;
  }
  const outcome = await receiveWithRetries(
    deps,
    key,
    { type: 'choice', stepId: answer.stepId, values: answer.values },
    messageId,
  );
  if (outcome === undefined || outcome.duplicate) return;
  await updateMessage(deps, channel, ts, answeredMessage(blocks, answer.labels));
  await deliverReplies(deps, key, channel, outcome.replies);
}

function readAnswer(body: BlockActionsBody): Answer | undefined {
  const action = body.actions[0];
  if (action?.value === undefined) return undefined;
  if (action.action_id.startsWith(ANSWER_ACTION_PREFIX)) {
    const read = readAnswerValue(action.value);
    if (read === undefined) return undefined;
    return { stepId: read.stepId, values: [read.optionKey], labels: [action.text?.text ?? ''] };
  }
  if (action.action_id !== DONE_ACTION_ID) return undefined;
  const done = readDoneValue(action.value);
  if (done === undefined) return undefined;
  // The ticked boxes arrive with the Done click, as the message's state.
  const ticked = Object.values(body.state?.values ?? {})
    .flatMap((block) => Object.entries(block))
    .filter(([actionId]) => actionId.startsWith(PICK_ACTION_PREFIX))
    .flatMap(([, element]) => element.selected_options ?? [])
    .flatMap((option) => {
      const read = readAnswerValue(option.value);
      return read?.stepId === done.stepId ? [{ key: read.optionKey, label: option.text.text }] : [];
    });
  return {
    stepId: done.stepId,
    values: ticked.map((option) => option.key),
    labels: ticked.map((option) => option.label),
  };
}

/**
 * The question the person's session waits on, or `ANSWERED` when this message was answered
 * already (one read for both). A failed read gives up these checks only: the conversation
 * service reads again in the person's turn, and reports its own failure.
 */
async function waitingStep(
  store: SessionStore,
  key: ParticipantKey,
  messageId: string,
): Promise<string | undefined | typeof ANSWERED | typeof UNKNOWN> {
  try {
    const opened = await store.open(key, messageId);
    if (opened.duplicate) return ANSWERED;
    return opened.session?.status === 'active' ? opened.session.stepId : undefined;
  } catch {
    return UNKNOWN;
  }
}

async function updateMessage(
  deps: SlackChannelDeps,
  channel: string,
  ts: string,
  message: SlackMessage,
): Promise<void> {
  try {
    await deps.client.chat.update({ channel, ts, text: message.text, blocks: message.blocks });
  } catch (error) {
    logSlackFailure(deps.logger, classifySlackFailure(error), { action: 'chat.update' });
  }
}
