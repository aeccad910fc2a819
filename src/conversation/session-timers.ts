import type { Session } from '../engine/types.js';
import type { Flow } from '../flow/flow.js';
import type { JobQueue, SessionJob } from '../jobs/job-queue.js';
import { reminderTimes } from '../jobs/quiet-hours.js';
import type { OutboundSenders } from '../channels/outbound.js';
import type { ParticipantKey } from '../store/session-store.js';

export interface SessionTimerDeps {
  readonly jobs: JobQueue;
  readonly senders: OutboundSenders;
  /** The participant's keyed hash: job ids must not carry an address. */
  readonly refOf: (key: ParticipantKey) => string;
  readonly clock: () => Date;
}

/**
 * After each commit of a waiting session: an expiry job at its expiry time and, on channels
 * that can reach people unprompted, the flow's reminders (moved out of quiet hours). Each
 * job names the revision it was set for, so any later message quietly cancels it; and each
 * takes its participant's slot for that timer, so the job it supersedes is dropped at once.
 */
export class SessionTimers {
  constructor(private readonly deps: SessionTimerDeps) {}

  async afterCommit(key: ParticipantKey, flow: Flow, session: Session): Promise<void> {
    // BullMQ job ids may not contain ':'; the ref is base64url, so '.' separates safely.
    const ref = this.deps.refOf(key);
    const job = (type: SessionJob['type'], suffix: string, runAt: number): SessionJob => ({
      id: `${ref}.${session.revision}.${suffix}`,
      slot: `${ref}.${suffix}`,
      type,
      key,
      flowId: flow.id,
      revision: session.revision,
      runAt,
    });
    const expiresAt = Date.parse(session.expiresAt);
    const jobs = [job('expiry', 'expiry', expiresAt)];
    if (this.deps.senders[key.channel] !== undefined) {
      reminderTimes(
        this.deps.clock(),
        flow.reminderDelaysMs,
        flow.quietHours,
        flow.timezone,
      ).forEach((at, i) => {
        if (at.getTime() < expiresAt) jobs.push(job('reminder', `reminder${i}`, at.getTime()));
      });
    }
    await Promise.all(jobs.map((j) => this.deps.jobs.schedule(j)));
  }
}
