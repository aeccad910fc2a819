import type { Outcome } from '../../conversation/service.js';
import type { Input, Reply } from '../../engine/types.js';
import type { ParticipantKey } from '../../store/session-store.js';
import { logSlackFailure } from './api-errors.js';
import type { SlackChannelDeps } from './deps.js';
import { postReplies } from './post.js';
import { chatLabelsFor } from './wording.js';

/** 1 s and 4 s: rides out a Redis failover or a slow turn without holding on for long. */
const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [1_000, 4_000];
/** Failures a later try fixes; the message id makes a second try safe (no double answer). */
const PASSING_FAILURES = new Set(['store_unavailable', 'participant_busy', 'session_conflict']);
/** A stranger gets the "how to take part" reply at most once a day. */
const HELP_WINDOW_MS = 24 * 3600_000;

/**
 * Hands an input to the conversation service, trying again after a passing failure. Slack
 * was answered before this work began, so it will not redeliver: giving up is logged and
 * alerted, and the person's message is lost (they can send it again).
 */
export async function receiveWithRetries(
  deps: SlackChannelDeps,
  key: ParticipantKey,
  input: Input,
  messageId: string,
): Promise<Outcome | undefined> {
  const delays = deps.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const sleep = deps.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.conversations.receive(key, input, messageId);
    } catch (error) {
      const code = errorCode(error);
      const delay = delays[attempt - 1];
      if (PASSING_FAILURES.has(code) && delay !== undefined) {
        deps.logger.warn({ code, attempt, ref: deps.refOf(key) }, 'slack message retried');
        await sleep(delay);
        continue;
      }
      deps.logger.error(
        { code, attempt, ref: deps.refOf(key), input: input.type },
        'slack message given up',
      );
      await deps.alerts?.postAlert(
        `A Slack message could not be handled after ${attempt} attempt(s) (${code}). The person may need to send it again.`,
      );
      return undefined;
    }
  }
}

/** Posts replies in the person's DM; a failure is logged (the answers are already safe). */
export async function deliverReplies(
  deps: SlackChannelDeps,
  key: ParticipantKey,
  channel: string,
  replies: readonly Reply[],
): Promise<void> {
  if (replies.length === 0) return;
  const report = await postReplies(deps.client, channel, replies, chatLabelsFor(deps, key));
  if (report.failure !== undefined) {
    logSlackFailure(deps.logger, report.failure, {
      ref: deps.refOf(key),
      sent: report.sent,
      skipped: replies.length - report.sent,
    });
  }
}

/** Someone writing with no conversation and no keyword: how to take part, once a day. */
export async function strangerHelp(
  deps: SlackChannelDeps,
  key: ParticipantKey,
): Promise<readonly Reply[]> {
  const { count } = await deps.limiter.hit('slack-help', deps.refOf(key), HELP_WINDOW_MS);
  if (count > 1) return [];
  const keyword = deps.flows.list().flatMap((flow) => flow.keywords)[0] ?? 'HELP';
  const text = deps.translate({
    namespace: 'common',
    key: 'unknown_sender',
    language: 'en',
    variant: 'standard',
    role: undefined,
    params: { keyword },
  });
  return [{ type: 'message', text }];
}

/** The stable code of one of our errors (or a library's), never its message. */
export function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const { code } = error;
    if (typeof code === 'string') return code;
  }
  return 'internal_error';
}
