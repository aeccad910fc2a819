import type { ParticipantKey } from '../store/session-store.js';

interface TimerJob {
  /** Stable id: scheduling the same id twice keeps one job. */
  readonly id: string;
  readonly key: ParticipantKey;
  /**
   * The session the timer belongs to: its flow and `startedAt`. A timer set when a session
   * opens outlives many messages; when it fires it looks at the session as it stands then,
   * and does nothing for another session (the person started afresh) or an ended one.
   */
  readonly flowId: string;
  readonly startedAt: string;
  /** Epoch milliseconds at which the job is due. */
  readonly runAt: number;
  /**
   * Jobs of one slot replace each other: scheduling one drops the slot's job still waiting
   * (one running now finishes first, and the new one waits for it). A session's timers use a
   * slot per participant and timer, so the timers of a new session replace the last one's,
   * and a timer that fired early sets itself again in its own slot.
   */
  readonly slot?: string | undefined;
}

/** Ends a session that has been silent until its expiry (which slides with each message). */
export interface ExpiryJob extends TimerJob {
  readonly type: 'expiry';
}

/** Nudges a silent person: the flow's reminder `reminder` (0 = the first) after its delay. */
export interface ReminderJob extends TimerJob {
  readonly type: 'reminder';
  readonly reminder: number;
  /** The session's `updatedAt` when this reminder was last sent: one silence gets it once. */
  readonly remindedFor?: string | undefined;
}

/** A timed job about one participant's session. */
export type SessionJob = ExpiryJob | ReminderJob;

export type JobHandler = (job: SessionJob) => Promise<void>;

/**
 * Durable timed jobs. The Redis implementation survives restarts and runs each job once
 * across many processes; the in-process one serves the embedded mode.
 */
export interface JobQueue {
  schedule(job: SessionJob): Promise<void>;
  /** Starts running due jobs with `handler`; a job whose handler throws is retried with backoff. */
  start(handler: JobHandler): void;
  close(): Promise<void>;
}

/** What `forget` did: jobs removed with their data, and jobs running now that could not be. */
export interface ForgottenJobs {
  readonly removed: number;
  readonly busy: number;
}

/**
 * Removes jobs when a participant's data is erased: their job ids start with their ref and a
 * dot (see session-timers.ts). Waiting and finished jobs go, data and all; a running job
 * cannot, and is counted in `busy` for the caller to ask again once it has finished.
 */
export interface JobEraser {
  forget(idPrefix: string): Promise<ForgottenJobs>;
}
