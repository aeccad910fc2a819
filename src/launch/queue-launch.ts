import type { RedisInvitationLedger } from './invitation-ledger.js';
import type { InvitationQueue } from './invitation-queue.js';
import type { LaunchPlan } from './plan.js';

export interface QueueLaunchDeps {
  readonly ledger: Pick<RedisInvitationLedger, 'record'>;
  readonly queue: Pick<InvitationQueue, 'add'>;
  readonly clock: () => Date;
}

export interface LaunchOutcome {
  /** Invitations recorded and queued now. */
  readonly queued: number;
  /** Planned, but invited or contacted by another launch since the plan was made. */
  readonly taken: number;
  /** Recorded by an earlier run and still waiting: queued again (a no-op where the job is there). */
  readonly requeued: number;
}

const DAY_MS = 86_400_000;

/**
 * Queues a planned launch. Each invitation is recorded in the ledger first (the check
 * against the flow's invitations and the contact cap, and the record, are one atomic step),
 * then queued under an id of its own: a second run, or a second launch at the same time,
 * finds everyone recorded and queues nothing. Should the process stop between the two, the
 * next run of the launch finds the person recorded as queued and queues the job again.
 */
export async function queueLaunch(
  deps: QueueLaunchDeps,
  plan: LaunchPlan,
  onProgress: (done: number, total: number) => void = () => undefined,
): Promise<LaunchOutcome> {
  const capMs = plan.capDays * DAY_MS;
  const lost = plan.skipped.flatMap((row) => (row.queued === undefined ? [] : [row.queued]));
  const total = plan.invitations.length + lost.length;
  let done = 0;
  let queued = 0;
  let taken = 0;
  for (const job of lost) {
    await deps.queue.add(job);
    onProgress(++done, total);
  }
  for (const { job } of plan.invitations) {
    const standing = await deps.ledger.record(
      job.flowId,
      job.ref,
      job.launchId,
      deps.clock().getTime(),
      capMs,
    );
    if (standing.kind === 'new') {
      await deps.queue.add(job);
      queued++;
    } else taken++;
    onProgress(++done, total);
  }
  return { queued, taken, requeued: lost.length };
}
