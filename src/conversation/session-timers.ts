import { randomBytes } from 'node:crypto';
import type { Session } from '../engine/types.js';
import type { Flow } from '../flow/flow.js';
import type { JobQueue, ReminderJob, SessionJob } from '../jobs/job-queue.js';
import { nextAllowedTime, reminderTimes } from '../jobs/quiet-hours.js';
import type { OutboundSenders } from '../channels/outbound.js';
import type { ParticipantKey } from '../store/session-store.js';

export interface SessionTimerDeps {
  readonly jobs: JobQueue;
  readonly senders: OutboundSenders;
  /** The participant's keyed hash: job ids must not carry an address. */
  readonly refOf: (key: ParticipantKey) => string;
  readonly clock: () => Date;
}

/** What a timer that has fired does about the session as it stands now. */
export type TimerDecision =
  /** Another session, or an ended one: nothing to do. */
  | { readonly kind: 'drop' }
  /** The session moved on since the timer was set: the same timer again, for later. */
  | { readonly kind: 'later'; readonly job: SessionJob }
  /** Due: expire, or remind (and `next` waits for the person's next silence). */
  | { readonly kind: 'due'; readonly next: SessionJob | undefined };

const DROP: TimerDecision = { kind: 'drop' };

type Timer = { readonly type: 'expiry' } | Pick<ReminderJob, 'type' | 'reminder' | 'remindedFor'>;

/**
 * A session's expiry and reminders, set once when it opens rather than on every message: a
 * message is then only the session store's work. A timer that fires looks at the session
 * as it stands: if the person has written since, the expiry (which slides with each
 * message) or the reminder (counted from their last message) is simply set again for its
 * new time, in its slot. Each job names its session (flow and `startedAt`), so a timer of
 * an earlier or ended session does nothing.
 */
export class SessionTimers {
  constructor(private readonly deps: SessionTimerDeps) {}

  /**
   * When a session opens: an expiry job at its expiry and, on channels that can reach people
   * unprompted, one job per reminder (moved out of quiet hours) that can come before expiry.
   */
  async arm(key: ParticipantKey, flow: Flow, session: Session): Promise<void> {
    const jobs = [this.timer(key, session, { type: 'expiry' }, Date.parse(session.expiresAt))];
    if (this.deps.senders[key.channel] !== undefined) {
      const delays = flow.reminderDelaysMs;
      const due = reminderTimes(
        new Date(session.updatedAt),
        delays,
        flow.quietHours,
        flow.timezone,
      );
      due.forEach((at, reminder) => {
        // Both count from the last message: such a reminder could never come first.
        if ((delays[reminder] ?? Infinity) >= flow.expiresAfterMs) return;
        jobs.push(this.timer(key, session, { type: 'reminder', reminder }, at.getTime()));
      });
    }
    await Promise.all(jobs.map((job) => this.deps.jobs.schedule(job)));
  }

  /** Sets a timer again (see `decide`). */
  schedule(job: SessionJob): Promise<void> {
    return this.deps.jobs.schedule(job);
  }

  /**
   * A timer has fired and `session` is what the store holds now (read in the participant's
   * turn). The expiry is due once `expiresAt` has passed. Reminder n is due once the person
   * has been silent for its delay, outside quiet hours (a late job, say after an outage,
   * waits for the morning too), before expiry, and once per silence.
   */
  decide(job: SessionJob, flow: Flow, session: Session | undefined): TimerDecision {
    if (
      session?.status !== 'active' ||
      session.flowId !== job.flowId ||
      session.startedAt !== job.startedAt
    )
      return DROP;
    const now = this.deps.clock().getTime();
    const expiresAt = Date.parse(session.expiresAt);
    if (job.type === 'expiry') {
      return expiresAt > now
        ? { kind: 'later', job: this.timer(job.key, session, job, expiresAt) }
        : { kind: 'due', next: undefined };
    }
    const delay = flow.reminderDelaysMs[job.reminder];
    // A flow version without this reminder, or a session whose expiry is running now.
    if (delay === undefined || expiresAt <= now) return DROP;
    const allowed = (at: number): number =>
      nextAllowedTime(new Date(at), flow.quietHours, flow.timezone).getTime();
    // The next silence starts no earlier than now, so its reminder is due no earlier than this.
    const afterNextMessage = allowed(now + delay);
    if (job.remindedFor === session.updatedAt) {
      return { kind: 'later', job: this.timer(job.key, session, job, afterNextMessage) };
    }
    const due = allowed(Math.max(Date.parse(session.updatedAt) + delay, now));
    if (due > now) {
      const again: Timer = { type: 'reminder', reminder: job.reminder };
      return { kind: 'later', job: this.timer(job.key, session, again, due) };
    }
    const next: Timer = {
      type: 'reminder',
      reminder: job.reminder,
      remindedFor: session.updatedAt,
    };
    return { kind: 'due', next: this.timer(job.key, session, next, afterNextMessage) };
  }

  /**
   * Ids carry the participant's ref (erasure finds their jobs by it) and a random part: a
   * timer set again for the same time, by a job that ran a moment early, must not be taken
   * for the one running now. BullMQ ids may not contain ':'; the ref is base64url, so '.'
   * separates safely.
   */
  private timer(key: ParticipantKey, session: Session, timer: Timer, runAt: number): SessionJob {
    const slot = `${this.deps.refOf(key)}.${timer.type === 'expiry' ? 'expiry' : `reminder${timer.reminder}`}`;
    const job = {
      id: `${slot}.${randomBytes(6).toString('base64url')}`,
      slot,
      key,
      flowId: session.flowId,
      startedAt: session.startedAt,
      runAt,
    };
    if (timer.type === 'expiry') return { ...job, type: 'expiry' };
    return {
      ...job,
      type: 'reminder',
      reminder: timer.reminder,
      ...(timer.remindedFor === undefined ? {} : { remindedFor: timer.remindedFor }),
    };
  }
}
