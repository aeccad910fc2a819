import type { RedisInvitationLedger } from './invitation-ledger.js';
import type { InvitationJob } from './invitation-job.js';
import type { InvitationQueue } from './invitation-queue.js';
import { invitationOf, plannedRecipient } from './invitee.js';
import { rereadParticipants } from './participants.js';
import { DAY_MS, type LaunchPlan, type LaunchPlanDeps } from './plan.js';
import { slicesOf } from './slices.js';

export interface QueueLaunchDeps extends Pick<LaunchPlanDeps, 'secret' | 'clock'> {
  readonly ledger: Pick<RedisInvitationLedger, 'recordAll'>;
  readonly queue: Pick<InvitationQueue, 'addAll'>;
}

export interface LaunchOutcome {
  /** Invitations recorded and queued now. */
  readonly queued: number;
  /** Planned, but invited or contacted by another launch since the plan was made. */
  readonly taken: number;
  /** Recorded by an earlier run and still waiting: queued again (a no-op where the job is there). */
  readonly requeued: number;
}

/**
 * Queues a planned launch, reading the file again a slice at a time and acting only on the
 * lines the plan picked. Each invitation is recorded in the ledger first (the check against
 * the flow's invitations and the contact cap, and the record, are one atomic step per person,
 * a slice's in one pipeline), then the slice's new jobs are queued together, each under an id
 * of its own: a second run, or a second launch at the same time, finds everyone recorded and
 * queues nothing. Should the process stop between the two, the next run of the launch finds
 * the person recorded as queued and queues the job again.
 */
export async function queueLaunch(
  deps: QueueLaunchDeps,
  plan: LaunchPlan,
  onProgress: (done: number, total: number) => void = () => undefined,
): Promise<LaunchOutcome> {
  const { flow, lines } = plan;
  const total = lines.invite.size + lines.requeue.size;
  const capMs = plan.capDays * DAY_MS;
  const of = { flowId: flow.id, launchId: plan.launchId, secret: deps.secret };
  const wanted = (line: number): boolean => lines.invite.has(line) || lines.requeue.has(line);
  let planned = 0;
  let done = 0;
  let queued = 0;
  let taken = 0;
  for (const slice of slicesOf(rereadParticipants(plan.file, flow, wanted))) {
    const fresh: InvitationJob[] = [];
    const again: InvitationJob[] = [];
    for (const participant of slice) {
      const key = plannedRecipient(participant, plan.slackUsers);
      if (lines.requeue.has(participant.line)) {
        again.push(invitationOf(of, participant, key, 0));
        continue;
      }
      fresh.push(invitationOf(of, participant, key, plan.starts.at(planned++)));
    }
    const standings = await deps.ledger.recordAll(
      flow.id,
      fresh.map((job) => job.ref),
      plan.launchId,
      deps.clock().getTime(),
      capMs,
    );
    const recorded = fresh.filter((_, index) => standings[index]?.kind === 'new');
    await deps.queue.addAll([...again, ...recorded]);
    queued += recorded.length;
    taken += fresh.length - recorded.length;
    done += slice.length;
    onProgress(done, total);
  }
  return { queued, taken, requeued: lines.requeue.size };
}
