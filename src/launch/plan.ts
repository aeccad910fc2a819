import { createHash } from 'node:crypto';
import type { Translate } from '../engine/types.js';
import type { Flow } from '../flow/flow.js';
import type { SessionStore } from '../store/session-store.js';
import type { RedisInvitationLedger, Standing } from './invitation-ledger.js';
import { invitationJobId, type InvitationChannel, type InvitationJob } from './invitation-job.js';
import {
  identityOf,
  readParticipants,
  type Participant,
  type RejectedRow,
} from './participants.js';
import { optOutKeys, personRef } from './person.js';
import type { RedisSendPacer } from './send-pacer.js';
import { messageCost, openingReplies, planSendTimes, spacingMs, totalCost } from './send-window.js';

/** A Slack email looked up in the workspace: the user id, or why there is none. */
export type SlackLookup = (
  email: string,
) => Promise<{ readonly userId: string } | { readonly reason: string }>;

export interface LaunchPlanDeps {
  readonly ledger: Pick<RedisInvitationLedger, 'standing'>;
  readonly pacer: Pick<RedisSendPacer, 'nextFree'>;
  readonly store: Pick<SessionStore, 'isOptedOut'>;
  readonly translate: Translate;
  /** The participant-ref secret (`PSEUDONYM_KEY`). */
  readonly secret: string;
  /** Present when Twilio is set up. */
  readonly twilio: boolean;
  /** Present when Slack is set up. */
  readonly lookupSlackEmail: SlackLookup | undefined;
  readonly clock: () => Date;
}

export interface LaunchSettings {
  readonly ratePerSecond: number;
  /** The deployment's cap (`CONTACT_CAP_DAYS`); the flow's `contact_cap_days` wins. */
  readonly contactCapDays: number;
}

export interface PlannedInvitation {
  readonly line: number;
  readonly job: InvitationJob;
  /** What each opening message costs of the sender's rate (SMS segments, else 1). */
  readonly costs: readonly number[];
}

export type SkipReason = 'opted_out' | 'already_invited' | 'contacted';

export interface SkippedRow {
  readonly line: number;
  readonly reason: SkipReason;
  /** For `contacted`: by which flow, and when. */
  readonly contact?: { readonly flowId: string; readonly at: number } | undefined;
  /**
   * For `already_invited` while still `queued`: the job, queued again when the launch runs,
   * in case it was lost between the ledger and the queue (a no-op when it is there).
   */
  readonly queued?: InvitationJob | undefined;
}

export interface SendWindow {
  readonly channel: InvitationChannel;
  readonly first: number;
  /** When the last invitation's messages should be out. */
  readonly last: number;
}

export interface LaunchPlan {
  readonly flow: Flow;
  /** The same flow and the same file give the same id: it names this launch in logs and the ledger. */
  readonly launchId: string;
  readonly rows: number;
  readonly invitations: readonly PlannedInvitation[];
  readonly rejected: readonly RejectedRow[];
  readonly skipped: readonly SkippedRow[];
  readonly windows: readonly SendWindow[];
  readonly capDays: number;
  readonly ratePerSecond: number;
}

/** The flow cannot be launched at all (inbound-only). */
export class LaunchRefusedError extends Error {
  readonly code = 'launch_refused';
  constructor(message: string) {
    super(message);
    this.name = 'LaunchRefusedError';
  }
}

const DAY_MS = 86_400_000;

/**
 * Works out what a launch would do, writing nothing: who is invited (on which channel, in
 * which language and variant, at what planned time), which rows are rejected and why, and
 * who is skipped (opted out, already invited to this flow, contacted within the cap).
 */
export async function planLaunch(
  deps: LaunchPlanDeps,
  flow: Flow,
  file: string,
  settings: LaunchSettings,
): Promise<LaunchPlan> {
  if (flow.inboundOnly)
    throw new LaunchRefusedError(
      `'${flow.id}' is inbound-only (inbound_only: true): people start it by texting ${flow.keywords.join(' or ')}; it is not sent to a list`,
    );
  const now = deps.clock();
  const launchId = launchIdOf(flow.id, file);
  const list = readParticipants(file, flow);
  const rejected: RejectedRow[] = [...list.rejected];
  const resolved = await resolveAddresses(deps, flow.id, launchId, list.participants, rejected);
  const capDays = flow.contactCapDays ?? settings.contactCapDays;
  const standings = await deps.ledger.standing(
    flow.id,
    resolved.map((entry) => entry.job.ref),
    now.getTime(),
    capDays * DAY_MS,
  );
  const optedOut = await Promise.all(
    resolved.map(async ({ job }) => {
      const flags = await Promise.all(optOutKeys(job.key).map((key) => deps.store.isOptedOut(key)));
      return flags.some(Boolean);
    }),
  );
  const skipped: SkippedRow[] = [];
  const invitations: PlannedInvitation[] = [];
  resolved.forEach((entry, index) => {
    const skip = skipFor(optedOut[index] === true, standings[index] ?? { kind: 'new' });
    if (skip === undefined) {
      const costs = openingReplies(flow, entry.job, deps.translate, now).map((reply) =>
        messageCost(entry.job.key.channel, reply),
      );
      invitations.push({ line: entry.line, job: entry.job, costs });
    } else
      skipped.push({
        line: entry.line,
        ...skip,
        ...(standings[index]?.kind === 'invited' && standings[index].state === 'queued'
          ? { queued: entry.job }
          : {}),
      });
  });
  const timed = await planTimes(deps, flow, invitations, settings.ratePerSecond, now);
  rejected.sort((a, b) => a.line - b.line);
  return {
    flow,
    launchId,
    rows: list.participants.length + list.rejected.length,
    invitations: timed.invitations,
    rejected,
    skipped,
    windows: timed.windows,
    capDays,
    ratePerSecond: settings.ratePerSecond,
  };
}

export function launchIdOf(flowId: string, file: string): string {
  return createHash('sha256').update(`${flowId}\n${file}`).digest('hex').slice(0, 12);
}

function skipFor(
  optedOut: boolean,
  standing: Standing,
): Pick<SkippedRow, 'reason' | 'contact'> | undefined {
  if (optedOut) return { reason: 'opted_out' };
  if (standing.kind === 'invited') return { reason: 'already_invited' };
  if (standing.kind === 'contacted')
    return { reason: 'contacted', contact: { flowId: standing.flowId, at: standing.at } };
  return undefined;
}

/**
 * Each participant as a job (Slack emails looked up to their user ids); rows that cannot be
 * reached are rejected, and so is a second row for a person the lookup showed to be the same.
 */
async function resolveAddresses(
  deps: LaunchPlanDeps,
  flowId: string,
  launchId: string,
  participants: readonly Participant[],
  rejected: RejectedRow[],
): Promise<{ readonly line: number; readonly job: InvitationJob }[]> {
  const resolved: { line: number; job: InvitationJob }[] = [];
  const firstLineOf = new Map<string, number>();
  for (const participant of participants) {
    const { address, line } = participant;
    let key: InvitationJob['key'];
    if (address.channel !== 'slack') {
      if (!deps.twilio) {
        rejected.push({
          line,
          reason: 'Twilio is not set up (TWILIO_ settings), so texts cannot be sent',
        });
        continue;
      }
      key = { channel: address.channel, address: address.phone };
    } else if (deps.lookupSlackEmail === undefined) {
      rejected.push({
        line,
        reason: 'Slack is not set up (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET)',
      });
      continue;
    } else if ('email' in address) {
      const found = await deps.lookupSlackEmail(address.email);
      if ('reason' in found) {
        rejected.push({ line, reason: found.reason });
        continue;
      }
      key = { channel: 'slack', address: found.userId };
    } else key = { channel: 'slack', address: address.userId };
    const identity = identityOf(
      key.channel === 'slack' ? { channel: 'slack', userId: key.address } : address,
    );
    const first = firstLineOf.get(identity);
    if (first !== undefined) {
      rejected.push({ line, reason: `the same person as line ${first}`, duplicateOf: first });
      continue;
    }
    firstLineOf.set(identity, line);
    const ref = personRef(key, deps.secret);
    resolved.push({
      line,
      job: {
        id: invitationJobId(flowId, ref),
        launchId,
        flowId,
        ref,
        key,
        language: participant.language,
        variant: participant.variant,
        role: participant.role,
        params: participant.params,
        runAt: 0,
      },
    });
  }
  return resolved;
}

/** Planned send times per channel, each channel from where its sender's pace is free. */
async function planTimes(
  deps: LaunchPlanDeps,
  flow: Flow,
  invitations: readonly PlannedInvitation[],
  ratePerSecond: number,
  now: Date,
): Promise<{ invitations: PlannedInvitation[]; windows: SendWindow[] }> {
  const channels = [...new Set(invitations.map((entry) => entry.job.key.channel))];
  const timedByLine = new Map<number, number>();
  const windows: SendWindow[] = [];
  for (const channel of channels) {
    const group = invitations.filter((entry) => entry.job.key.channel === channel);
    const start = new Date(Math.max(now.getTime(), await deps.pacer.nextFree(channel)));
    const times = planSendTimes(
      start,
      group.map((entry) => entry.costs),
      ratePerSecond,
      flow,
    );
    group.forEach((entry, index) => timedByLine.set(entry.line, times[index] ?? start.getTime()));
    const lastCosts = group.at(-1)?.costs ?? [];
    const last = (times.at(-1) ?? start.getTime()) + spacingMs(totalCost(lastCosts), ratePerSecond);
    windows.push({ channel, first: times[0] ?? start.getTime(), last });
  }
  return {
    invitations: invitations.map((entry) => ({
      ...entry,
      job: { ...entry.job, runAt: timedByLine.get(entry.line) ?? now.getTime() },
    })),
    windows,
  };
}
