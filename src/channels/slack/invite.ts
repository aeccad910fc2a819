import { z } from 'zod';
import { FlowNotFoundError } from '../../conversation/service.js';
import type { Variant } from '../../flow/flow.js';
import type { ParticipantKey } from '../../store/session-store.js';
import { classifySlackFailure, logSlackFailure, type SlackFailure } from './api-errors.js';
import type { SlackClient } from './client.js';
import { slackParticipant, type SlackChannelDeps } from './deps.js';
import { SLACK_USER_ID } from './payloads.js';
import { openDirectMessage, postReplies } from './post.js';
import { errorCode } from './respond.js';
import { chatLabelsFor } from './wording.js';

/** The runtime's parts an invitation uses (a `Runtime` has them all), plus a Slack client. */
export type SlackInviteDeps = Pick<
  SlackChannelDeps,
  'client' | 'conversations' | 'flows' | 'store' | 'translate' | 'refOf' | 'clock' | 'logger'
>;

export interface SlackInviteOptions {
  /** One of the flow's languages; the flow's default otherwise. */
  readonly language?: string | undefined;
  readonly variant?: Variant | undefined;
  readonly role?: string | undefined;
  /** Values for the flow's wording, e.g. `{ service: 'Riverside Day Centre' }`; never personal data. */
  readonly params?: Readonly<Record<string, string>> | undefined;
  /** Start again even for someone in the middle of a conversation (their answers so far are replaced). */
  readonly restart?: boolean | undefined;
}

/**
 * - `invited`: the DM is open, the flow started and its opening messages posted;
 * - `not_delivered`: started, but Slack did not take the messages (their reminder will ask again);
 * - `already_active`: in a conversation that has not ended; left alone (see `restart`);
 * - `opted_out`: they sent STOP; nothing is sent until they send START;
 * - `not_found`: no Slack user with that email; `unreachable`: the app cannot DM them;
 * - `invalid`: neither a user id (U…/W…) nor an email; `failed`: Slack refused or was busy.
 */
export type InviteStatus =
  | 'invited'
  | 'not_delivered'
  | 'already_active'
  | 'opted_out'
  | 'not_found'
  | 'unreachable'
  | 'invalid'
  | 'failed';

export interface InviteResult {
  /** As given: a user id or an email. */
  readonly user: string;
  readonly status: InviteStatus;
  /** Slack's error code when Slack said no. */
  readonly code?: string | undefined;
}

/** The invitation does not fit the flow (a language or role it does not have). */
export class InviteOptionsError extends Error {
  readonly code = 'invalid_input';
  constructor(message: string) {
    super(message);
    this.name = 'InviteOptionsError';
  }
}

const lookedUp = z.object({ user: z.object({ id: z.string().regex(SLACK_USER_ID) }) });
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Invites Slack users to a flow, one after another: each is found (by user id, or by email
 * with users.lookupByEmail), their DM with the app opened, the flow started for them (the
 * participant address is their user id) and its opening messages posted. People who opted
 * out, or are in the middle of a conversation, are left alone. Logs name people only by ref.
 */
export async function inviteSlackUsers(
  deps: SlackInviteDeps,
  flowId: string,
  users: readonly string[],
  options: SlackInviteOptions = {},
): Promise<InviteResult[]> {
  const flow = deps.flows.get(flowId);
  if (flow === undefined) throw new FlowNotFoundError(flowId);
  if (options.language !== undefined && !flow.languages.includes(options.language))
    throw new InviteOptionsError(
      `'${flowId}' is in ${flow.languages.join(', ')}, not '${options.language}'`,
    );
  if (options.role !== undefined && !flow.roles.includes(options.role))
    throw new InviteOptionsError(
      `'${flowId}' has roles ${flow.roles.join(', ') || '(none)'}, not '${options.role}'`,
    );
  const results: InviteResult[] = [];
  for (const user of users) {
    const result = await inviteOne(deps, flowId, user.trim(), options).catch(
      (error: unknown): Omit<InviteResult, 'user'> => {
        // The store or the conversation service failed: this one is not invited; go on.
        deps.logger.warn({ flowId, code: errorCode(error) }, 'slack invitation failed');
        return { status: 'failed', code: errorCode(error) };
      },
    );
    results.push({ user, ...result });
  }
  const counts = Object.fromEntries(
    [...new Set(results.map((r) => r.status))].map((s) => [
      s,
      results.filter((r) => r.status === s).length,
    ]),
  );
  deps.logger.info({ flowId, counts }, 'slack invitations done');
  return results;
}

async function inviteOne(
  deps: SlackInviteDeps,
  flowId: string,
  user: string,
  options: SlackInviteOptions,
): Promise<Omit<InviteResult, 'user'>> {
  const found = await findUser(deps.client, user);
  if (!found.ok) {
    deps.logger.info({ flowId, ...found.result }, 'slack invitation: no such Slack user');
    return found.result;
  }
  const key = slackParticipant(found.userId);
  const about = { ref: deps.refOf(key), flowId };
  const said = (status: InviteStatus, failure?: SlackFailure): Omit<InviteResult, 'user'> => {
    if (failure !== undefined) logSlackFailure(deps.logger, failure, { ...about, status });
    else deps.logger.info({ ...about, status }, 'slack invitation');
    return { status, code: failure?.code };
  };
  if (await deps.store.isOptedOut(key)) return said('opted_out');
  if (options.restart !== true && (await inConversation(deps, key))) return said('already_active');
  const dm = await openDirectMessage(deps.client, found.userId);
  if (!dm.ok) return said(dm.failure.kind === 'unreachable' ? 'unreachable' : 'failed', dm.failure);
  const outcome = await deps.conversations.start(key, flowId, {
    language: options.language,
    variant: options.variant,
    role: options.role,
    params: options.params,
  });
  const report = await postReplies(
    deps.client,
    dm.channel,
    outcome.replies,
    chatLabelsFor(deps, key),
  );
  return report.failure === undefined ? said('invited') : said('not_delivered', report.failure);
}

/** A conversation under way and not yet past its expiry: a new start would replace it. */
async function inConversation(deps: SlackInviteDeps, key: ParticipantKey): Promise<boolean> {
  const session = await deps.store.load(key);
  return session?.status === 'active' && Date.parse(session.expiresAt) > deps.clock().getTime();
}

async function findUser(
  client: SlackClient,
  user: string,
): Promise<
  | { readonly ok: true; readonly userId: string }
  | { readonly ok: false; readonly result: Omit<InviteResult, 'user'> }
> {
  if (SLACK_USER_ID.test(user)) return { ok: true, userId: user };
  if (!EMAIL.test(user)) return { ok: false, result: { status: 'invalid' } };
  try {
    const parsed = lookedUp.safeParse(await client.users.lookupByEmail({ email: user }));
    if (parsed.success) return { ok: true, userId: parsed.data.user.id };
    return { ok: false, result: { status: 'failed', code: 'user_missing' } };
  } catch (error) {
    const failure = classifySlackFailure(error);
    const status: InviteStatus = failure.code === 'users_not_found' ? 'not_found' : 'failed';
    return { ok: false, result: { status, code: failure.code } };
  }
}
