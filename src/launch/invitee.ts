import type { Translate } from '../engine/types.js';
import type { Flow } from '../flow/flow.js';
import { identityOf, type Participant } from './participants.js';
import { invitationJobId, type InvitationJob } from './invitation-job.js';
import { personRef } from './person.js';
import { messageCost, openingReplies } from './send-window.js';

/** A Slack email looked up in the workspace: the user id, or why there is none. */
export type SlackLookup = (
  email: string,
) => Promise<{ readonly userId: string } | { readonly reason: string }>;

export interface Senders {
  /** Present when Twilio is set up. */
  readonly twilio: boolean;
  /** Present when Slack is set up. */
  readonly lookupSlackEmail: SlackLookup | undefined;
}

export type InvitationKey = InvitationJob['key'];

/**
 * Where a participant's invitation would go, or why it cannot: its channel is not set up, or
 * Slack knows no user by that email. Emails found are kept in `slackUsers`, so that queueing
 * invites the user the plan showed without asking Slack again.
 */
export async function recipientOf(
  senders: Senders,
  participant: Participant,
  slackUsers: Map<string, string>,
): Promise<InvitationKey | { readonly reason: string }> {
  const { address } = participant;
  if (address.channel !== 'slack')
    return senders.twilio
      ? { channel: address.channel, address: address.phone }
      : { reason: 'Twilio is not set up (TWILIO_ settings), so texts cannot be sent' };
  if (senders.lookupSlackEmail === undefined)
    return { reason: 'Slack is not set up (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET)' };
  if ('userId' in address) return { channel: 'slack', address: address.userId };
  const found = await senders.lookupSlackEmail(address.email);
  if ('reason' in found) return found;
  slackUsers.set(address.email, found.userId);
  return { channel: 'slack', address: found.userId };
}

/** Where the plan found a participant's invitation would go. */
export function plannedRecipient(
  participant: Participant,
  slackUsers: ReadonlyMap<string, string>,
): InvitationKey {
  const { address } = participant;
  if (address.channel !== 'slack') return { channel: address.channel, address: address.phone };
  const userId = 'userId' in address ? address.userId : slackUsers.get(address.email);
  // Only rows the plan reached are queued, and it kept every email it found.
  if (userId === undefined) throw new Error(`line ${participant.line}: no Slack user planned`);
  return { channel: 'slack', address: userId };
}

/** The person behind a key, as the file's duplicate check knows them. */
export function recipientIdentity(key: InvitationKey): string {
  return identityOf(
    key.channel === 'slack'
      ? { channel: 'slack', userId: key.address }
      : { channel: key.channel, phone: key.address },
  );
}

export interface InvitationOf {
  readonly flowId: string;
  readonly launchId: string;
  /** The participant-ref secret (`PSEUDONYM_KEY`). */
  readonly secret: string;
}

/** A participant's invitation, one job per person per flow whatever the launch. */
export function invitationOf(
  of: InvitationOf,
  participant: Participant,
  key: InvitationKey,
  runAt: number,
): InvitationJob {
  const ref = personRef(key, of.secret);
  return {
    id: invitationJobId(of.flowId, ref),
    launchId: of.launchId,
    flowId: of.flowId,
    ref,
    key,
    language: participant.language,
    variant: participant.variant,
    role: participant.role,
    params: participant.params,
    runAt,
  };
}

/** What each opening message of a person's invitation costs of the sender's rate. */
export function openingCosts(
  flow: Flow,
  participant: Participant,
  channel: InvitationKey['channel'],
  translate: Translate,
  now: Date,
): number[] {
  return openingReplies(flow, participant, translate, now).map((reply) =>
    messageCost(channel, reply),
  );
}
