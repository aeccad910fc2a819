import { createHash } from 'node:crypto';
import type { Translate } from '../engine/types.js';
import type { Flow } from '../flow/flow.js';
import type { SessionStore } from '../store/session-store.js';
import type { RedisInvitationLedger, Standing } from './invitation-ledger.js';
import type { InvitationJob } from './invitation-job.js';
import {
  invitationOf,
  openingCosts,
  recipientIdentity,
  recipientOf,
  type Senders,
} from './invitee.js';
import { LineSet } from './line-set.js';
import { PlannedStarts } from './planned-starts.js';
import { readParticipants, type Participant, type RejectedRow } from './participants.js';
import { optOutKeys } from './person.js';
import {
  PlanTally,
  type ChannelPlan,
  type Listed,
  type SkippedRow,
  type SkipReason,
} from './plan-tally.js';
import type { CsvText } from './csv.js';
import type { RedisSendPacer } from './send-pacer.js';
import { SeenPeople } from './seen-people.js';
import { SendSchedule } from './send-window.js';
import { SLICE_ROWS } from './slices.js';

export interface LaunchPlanDeps extends Senders {
  readonly ledger: Pick<RedisInvitationLedger, 'standing'>;
  readonly pacer: Pick<RedisSendPacer, 'nextFree'>;
  readonly store: Pick<SessionStore, 'isOptedOut'>;
  readonly translate: Translate;
  /** The participant-ref secret (`PSEUDONYM_KEY`). */
  readonly secret: string;
  readonly clock: () => Date;
}

export interface LaunchSettings {
  readonly ratePerSecond: number;
  /** The deployment's cap (`CONTACT_CAP_DAYS`); the flow's `contact_cap_days` wins. */
  readonly contactCapDays: number;
}

/**
 * What a launch would do. It holds counts and the first rows of each kind, never a list of
 * people: per person only a bit for their line and, when invited, 8 bytes for their planned
 * start, beside the file itself (kept as bytes, outside the JavaScript heap).
 */
export interface LaunchPlan {
  readonly flow: Flow;
  /** The same flow and the same file give the same id: it names this launch in logs and the ledger. */
  readonly launchId: string;
  /** The participants file as read: queueing reads it again, so what it queues is what was planned. */
  readonly file: CsvText;
  readonly rows: number;
  /** Invitations to queue, on every channel. */
  readonly invitations: number;
  /** Each channel with invitations, in the order first met. */
  readonly channels: readonly ChannelPlan[];
  readonly rejected: Listed<RejectedRow>;
  readonly skipped: Readonly<Record<SkipReason, Listed<SkippedRow>>>;
  /**
   * The lines queueing acts on: the people to invite, and those `already_invited` by an earlier
   * run of this flow whose invitation is still `queued`: their jobs are queued again in case
   * the run stopped between the ledger and the queue (a no-op where the job is there).
   */
  readonly lines: { readonly invite: LineSet; readonly requeue: LineSet };
  /** When each invitation on `lines.invite` would start, in the order of the file. */
  readonly starts: PlannedStarts;
  /** The Slack users found for the file's emails: queueing invites them without asking again. */
  readonly slackUsers: ReadonlyMap<string, string>;
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

export const DAY_MS = 86_400_000;

interface Reached {
  readonly participant: Participant;
  readonly job: InvitationJob;
}

/**
 * Works out what a launch would do, writing nothing: who is invited (on which channel, in
 * which language and variant, at what planned time), which rows are rejected and why, and
 * who is skipped (opted out, already invited to this flow, contacted within the cap). The
 * file is read in slices: each slice's opt-outs and standing in the ledger are read together.
 */
export async function planLaunch(
  deps: LaunchPlanDeps,
  flow: Flow,
  file: CsvText,
  settings: LaunchSettings,
): Promise<LaunchPlan> {
  if (flow.inboundOnly)
    throw new LaunchRefusedError(
      `'${flow.id}' is inbound-only (inbound_only: true): people start it by texting ${flow.keywords.join(' or ')}; it is not sent to a list`,
    );
  const now = deps.clock();
  const launchId = launchIdOf(flow.id, file);
  const capDays = flow.contactCapDays ?? settings.contactCapDays;
  const tally = new PlanTally(flow.languages[0] ?? '');
  const lines = { invite: new LineSet(), requeue: new LineSet() };
  const starts = new PlannedStarts();
  const slackUsers = new Map<string, string>();
  const seen = new SeenPeople();
  const schedule = await SendSchedule.from(deps.pacer, now, settings.ratePerSecond, flow);
  const of = { flowId: flow.id, launchId, secret: deps.secret };
  /** A slice of reached people: their opt-outs and standing in the ledger read together. */
  const settle = async (reached: readonly Reached[]): Promise<void> => {
    const jobs = reached.map((entry) => entry.job);
    const [standings, optedOut] = await Promise.all([
      deps.ledger.standing(
        flow.id,
        jobs.map((job) => job.ref),
        now.getTime(),
        capDays * DAY_MS,
      ),
      optedOutOf(deps.store, jobs),
    ]);
    reached.forEach(({ participant, job }, index) => {
      const standing = standings[index] ?? { kind: 'new' };
      const skip = skipFor(optedOut[index] === true, standing);
      if (skip !== undefined) {
        tally.skip({ line: participant.line, ...skip });
        // Also when they have opted out since: the sender then counts it skipped.
        if (standing.kind === 'invited' && standing.state === 'queued')
          lines.requeue.add(participant.line);
        return;
      }
      const costs = openingCosts(flow, participant, job.key.channel, deps.translate, now);
      const send = schedule.next(job.key.channel, costs);
      tally.invite(job, costs, send);
      lines.invite.add(participant.line);
      starts.push(send.start);
    });
  };
  // Row by row, so that an email's Slack user counts as met before the rows after it are read.
  let reached: Reached[] = [];
  for (const row of readParticipants(file, flow, seen)) {
    tally.rows++;
    if ('reason' in row) {
      tally.reject(row);
      continue;
    }
    const key = await recipientOf(deps, row, slackUsers);
    if ('reason' in key) {
      tally.reject({ line: row.line, reason: key.reason });
      continue;
    }
    // An email is the same person as a Slack user id met elsewhere in the file.
    const first = 'email' in row.address ? seen.meet(recipientIdentity(key), row.line) : undefined;
    if (first !== undefined) {
      tally.reject({
        line: row.line,
        reason: `the same person as line ${first}`,
        duplicateOf: first,
      });
      continue;
    }
    reached.push({ participant: row, job: invitationOf(of, row, key, 0) });
    if (reached.length === SLICE_ROWS) {
      await settle(reached);
      reached = [];
    }
  }
  await settle(reached);
  return {
    flow,
    launchId,
    file,
    rows: tally.rows,
    invitations: tally.invitations,
    channels: tally.channels,
    rejected: tally.rejected,
    skipped: tally.skipped,
    lines,
    starts,
    slackUsers,
    capDays,
    ratePerSecond: settings.ratePerSecond,
  };
}

export function launchIdOf(flowId: string, file: CsvText): string {
  return createHash('sha256').update(`${flowId}\n`).update(file).digest('hex').slice(0, 12);
}

/** Whether each person has opted out, on any key their opt-out may be under. */
async function optedOutOf(
  store: Pick<SessionStore, 'isOptedOut'>,
  jobs: readonly InvitationJob[],
): Promise<boolean[]> {
  const keys = jobs.map((job) => optOutKeys(job.key));
  const flags = await Promise.all(keys.flat().map((key) => store.isOptedOut(key)));
  let at = 0;
  return keys.map((own) => {
    const any = flags.slice(at, at + own.length).some(Boolean);
    at += own.length;
    return any;
  });
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
