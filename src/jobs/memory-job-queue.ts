import type { ForgottenJobs, JobEraser, JobHandler, JobQueue, SessionJob } from './job-queue.js';

/**
 * The clock and timers the queue runs on. Tests pass fakes and move time forward instead of
 * sleeping; production uses the real ones.
 */
export interface JobTimers<Handle> {
  now(): number;
  setTimer(fire: () => void, delayMs: number): Handle;
  clearTimer(handle: Handle): void;
}

/** Reports a job given up after its last attempt. Log `job.id` and `job.type` only: `job.key` holds an address. */
export type JobFailureHandler = (job: SessionJob, error: unknown) => void;

export interface MemoryJobQueueOptions<Handle> {
  readonly onFailure: JobFailureHandler;
  readonly timers?: JobTimers<Handle>;
  /** Wait before each retry; a job gets `retryDelaysMs.length + 1` attempts in all. */
  readonly retryDelaysMs?: readonly number[];
  /** How many finished job ids are remembered, so that scheduling one again does not rerun it. */
  readonly rememberFinished?: number;
}

export type MemoryJobQueueErrorCode = 'job_queue_closed' | 'job_queue_already_started';

export class MemoryJobQueueError extends Error {
  constructor(
    readonly code: MemoryJobQueueErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MemoryJobQueueError';
  }
}

/** 5 s, 30 s, 5 min, 5 min: rides out a provider blip without hammering it; 5 attempts in all. */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [5_000, 30_000, 300_000, 300_000];
const DEFAULT_REMEMBER_FINISHED = 10_000;
/** Node fires longer timeouts at once; a longer wait is taken in steps (see `setDueTimer`). */
const MAX_TIMER_MS = 2_147_483_647;

export function realTimers(): JobTimers<NodeJS.Timeout> {
  return {
    now: () => Date.now(),
    setTimer: (fire, delayMs) => {
      const timer = setTimeout(fire, delayMs);
      // A reminder due next week must not keep a finished CLI or test process alive.
      timer.unref();
      return timer;
    },
    clearTimer: (timer) => clearTimeout(timer),
  };
}

/**
 * Calls `fire` once `dueAt` has come: on a timer (returned), or in a microtask when it is due
 * already, so that it never runs inside the caller. A long wait is capped, and a clock may
 * move back: `fire` should check the time and set the timer again when it is early.
 */
export function setDueTimer<Handle>(
  timers: JobTimers<Handle>,
  dueAt: number,
  fire: () => void,
): Handle | undefined {
  const delay = Math.max(0, dueAt - timers.now());
  if (delay === 0) {
    queueMicrotask(fire);
    return undefined;
  }
  return timers.setTimer(fire, Math.min(delay, MAX_TIMER_MS));
}

interface PendingJob<Handle> {
  readonly job: SessionJob;
  attemptsMade: number;
  /** When the next attempt is due: `runAt` at first, later the retry time. */
  dueAt: number;
  timer: Handle | undefined;
  running: boolean;
}

/**
 * Timed jobs held in this process, for the embedded mode: they are lost on restart, which
 * the embedded mode accepts for its sessions too. The same id is scheduled once; a job due
 * in the past runs at once; a failing job is retried after `retryDelaysMs` and then reported
 * to `onFailure` and dropped.
 */
export class MemoryJobQueue<Handle = NodeJS.Timeout> implements JobQueue, JobEraser {
  private readonly timers: JobTimers<Handle>;
  private readonly onFailure: JobFailureHandler;
  private readonly retryDelaysMs: readonly number[];
  private readonly rememberFinished: number;
  private readonly pending = new Map<string, PendingJob<Handle>>();
  /** The last job scheduled in each slot, by slot. */
  private readonly slots = new Map<string, string>();
  /** Insertion-ordered so the oldest is forgotten first. */
  private readonly finished = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private handler: JobHandler | undefined;
  private closed = false;

  constructor(options: MemoryJobQueueOptions<Handle>) {
    // Without an explicit Handle the defaults are Node's timers, whose handle is a Timeout.
    this.timers = options.timers ?? (realTimers() as unknown as JobTimers<Handle>);
    this.onFailure = options.onFailure;
    this.retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.rememberFinished = options.rememberFinished ?? DEFAULT_REMEMBER_FINISHED;
  }

  async schedule(job: SessionJob): Promise<void> {
    if (this.closed) throw new MemoryJobQueueError('job_queue_closed', 'the job queue is closed');
    if (this.pending.has(job.id) || this.finished.has(job.id)) return;
    if (job.slot !== undefined) this.replaceInSlot(job.slot, job.id);
    const entry: PendingJob<Handle> = {
      job,
      attemptsMade: 0,
      dueAt: job.runAt,
      timer: undefined,
      running: false,
    };
    this.pending.set(job.id, entry);
    if (this.handler !== undefined) this.arm(entry);
  }

  start(handler: JobHandler): void {
    if (this.closed) throw new MemoryJobQueueError('job_queue_closed', 'the job queue is closed');
    if (this.handler !== undefined) {
      throw new MemoryJobQueueError(
        'job_queue_already_started',
        'the job queue is already started',
      );
    }
    this.handler = handler;
    for (const entry of this.pending.values()) this.arm(entry);
  }

  /** Drops the jobs whose id starts with `idPrefix` (erasure); one running now is counted as busy. */
  async forget(idPrefix: string): Promise<ForgottenJobs> {
    let removed = 0;
    let busy = 0;
    for (const [id, entry] of this.pending) {
      if (!id.startsWith(idPrefix)) continue;
      if (entry.running) {
        busy += 1;
        continue;
      }
      this.disarm(entry);
      this.pending.delete(id);
      removed += 1;
    }
    for (const id of this.finished) if (id.startsWith(idPrefix)) this.finished.delete(id);
    for (const [slot, id] of this.slots) {
      if (id.startsWith(idPrefix) && !this.pending.has(id)) this.slots.delete(slot);
    }
    return { removed, busy };
  }

  /** Drops the slot's job that is still waiting (a running one finishes), and takes the slot. */
  private replaceInSlot(slot: string, id: string): void {
    const previous = this.pending.get(this.slots.get(slot) ?? '');
    if (previous !== undefined && !previous.running) {
      this.disarm(previous);
      this.pending.delete(previous.job.id);
    }
    this.slots.set(slot, id);
  }

  /** Cancels every timer and waits for the handlers already running; pending jobs are dropped. */
  async close(): Promise<void> {
    this.closed = true;
    for (const entry of this.pending.values()) this.disarm(entry);
    this.pending.clear();
    await Promise.all(this.running);
  }

  private arm(entry: PendingJob<Handle>): void {
    entry.timer = setDueTimer(this.timers, entry.dueAt, () => this.fire(entry));
  }

  private disarm(entry: PendingJob<Handle>): void {
    if (entry.timer !== undefined) this.timers.clearTimer(entry.timer);
    entry.timer = undefined;
  }

  private fire(entry: PendingJob<Handle>): void {
    entry.timer = undefined;
    if (this.closed || this.pending.get(entry.job.id) !== entry) return;
    // A capped timer, or a clock that moved back, can fire early: wait the rest.
    if (this.timers.now() < entry.dueAt) {
      this.arm(entry);
      return;
    }
    entry.running = true;
    const attempt = this.attempt(entry);
    this.running.add(attempt);
    void attempt.finally(() => {
      entry.running = false;
      this.running.delete(attempt);
    });
  }

  private async attempt(entry: PendingJob<Handle>): Promise<void> {
    const handler = this.handler;
    if (handler === undefined) return;
    try {
      await handler(entry.job);
      this.finish(entry);
    } catch (error) {
      entry.attemptsMade += 1;
      const retryDelay = this.retryDelaysMs[entry.attemptsMade - 1];
      if (this.closed) return;
      if (retryDelay === undefined) {
        this.finish(entry);
        this.reportFailure(entry.job, error);
        return;
      }
      entry.dueAt = this.timers.now() + retryDelay;
      this.arm(entry);
    }
  }

  private finish(entry: PendingJob<Handle>): void {
    this.pending.delete(entry.job.id);
    const { slot } = entry.job;
    if (slot !== undefined && this.slots.get(slot) === entry.job.id) this.slots.delete(slot);
    this.finished.add(entry.job.id);
    if (this.finished.size > this.rememberFinished) {
      const oldest = this.finished.values().next();
      if (oldest.done !== true) this.finished.delete(oldest.value);
    }
  }

  private reportFailure(job: SessionJob, error: unknown): void {
    try {
      this.onFailure(job, error);
    } catch {
      // A broken failure reporter must not take the queue down with an unhandled rejection.
    }
  }
}
