import type { ParticipantKey } from '../store/session-store.js';

/**
 * A timed job about one participant's session. It carries the session's revision when it
 * was scheduled: if the session has moved on by the time it runs, it does nothing, so a
 * reply and an expiry arriving together yield exactly one outcome.
 */
export interface SessionJob {
  /** Stable id: scheduling the same id twice keeps one job. */
  readonly id: string;
  readonly type: 'reminder' | 'expiry';
  readonly key: ParticipantKey;
  readonly flowId: string;
  readonly revision: number;
  /** Epoch milliseconds at which the job is due. */
  readonly runAt: number;
  /**
   * Jobs of one slot replace each other: scheduling one drops the slot's job still waiting
   * (one running now finishes first). A session's timers use a slot per participant and
   * timer, so a new revision's timer replaces the last one's, which would only have found
   * the session moved on: without it, every message would leave its timers behind in Redis.
   */
  readonly slot?: string | undefined;
}

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
