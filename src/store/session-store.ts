import type { Session } from '../engine/types.js';
import type { ResponseRecord } from '../responses/record.js';
import type { FlowStatField } from './flow-stats.js';
import type { RateHit } from './rate-limiter.js';

export type Channel = 'web' | 'sms' | 'whatsapp' | 'slack' | 'terminal';

/** Who a session belongs to: one respondent on one channel. */
export interface ParticipantKey {
  readonly channel: Channel;
  readonly address: string;
}

/** One atomic change to a participant's record. */
export interface SessionCommit {
  readonly session: Session;
  /**
   * The revision of the session this change was computed from, or `null` when none was
   * stored. The commit is refused (`conflict`) if the stored revision differs: no lost update.
   */
  readonly expectedRevision: number | null;
  /** The provider's message id, remembered for `DEDUPE_WINDOW_MS`; a second commit with it is a `duplicate`. */
  readonly messageId?: string | undefined;
  /** How long the session is kept: until its expiry and then some, so a late reply finds it. */
  readonly ttlMs: number;
  /**
   * The response record of a session that has just ended, stored (with an outbox entry for
   * the partners) in the same atomic step: no ended session without its record.
   */
  readonly record?: ResponseRecord | undefined;
  /** The flow's counters this change moves on by one (e.g. `started`, `completed`). */
  readonly counts?: readonly FlowStatField[] | undefined;
  /** The message's turn, given back by this commit (its last): see `Turn`. */
  readonly release?: Turn | undefined;
  /** Counted only when the change is saved: e.g. the replies it sends, against a cap. */
  readonly hit?: RateHit | undefined;
}

export type CommitResult = 'saved' | 'conflict' | 'duplicate';

/** Provider message ids are remembered this long (providers retry within minutes; 48 h is generous). */
export const DEDUPE_WINDOW_MS = 48 * 3600_000;
/** Ended sessions kept per participant, newest first. */
export const HISTORY_LIMIT = 20;

/** What a message needs to know before the engine runs, read in one go. */
export interface OpenedSession {
  /** The message id was already committed: the message must not be handled again. */
  readonly duplicate: boolean;
  readonly optedOut: boolean;
  readonly session: Session | undefined;
}

/**
 * Where sessions live between messages. Each commit is atomic: the revision check, the
 * session write, the message id, the opt-out flag (set when the session is `opted_out`), the
 * history entry (when the session has ended), the response record with its outbox entry and
 * the flow's counters happen together or not at all.
 */
export interface SessionStore {
  load(key: ParticipantKey): Promise<Session | undefined>;
  /**
   * `seen`, `isOptedOut` and `load` together: one round trip on the per-message path. Given
   * a turn still to be taken, takes it first (see `Turn`); given a hit, counts it once the
   * turn is held (e.g. the message against a flood guard).
   */
  open(
    key: ParticipantKey,
    messageId: string | undefined,
    turn?: Turn,
    hit?: RateHit,
  ): Promise<OpenedSession>;
  commit(key: ParticipantKey, change: SessionCommit): Promise<CommitResult>;
  /** True when a message with this id was already committed for this participant. */
  seen(key: ParticipantKey, messageId: string): Promise<boolean>;
  /** Ended sessions (completed, expired, opted out, halted), newest first: partial answers are kept. */
  history(key: ParticipantKey): Promise<Session[]>;
  /** A person who sent STOP on any flow gets nothing more until they send START. */
  isOptedOut(key: ParticipantKey): Promise<boolean>;
  setOptedOut(key: ParticipantKey, optedOut: boolean): Promise<void>;
  /** Forgets everything held about the participant. */
  delete(key: ParticipantKey): Promise<void>;
  /** True when the store can be used now (for `/readyz`). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Runs work for one participant at a time, in order of arrival, across every process that
 * shares the store: two messages from one person never race.
 */
export interface ParticipantQueue {
  run<T>(key: ParticipantKey, work: () => Promise<T>): Promise<T>;
  /**
   * Like `run`, for work whose first call is `SessionStore.open(key, messageId, turn)`: the
   * store takes the turn there, and may give it back in the work's last `commit`. Whatever
   * the store does, the turn is given back when the work ends.
   */
  runOpening<T>(key: ParticipantKey, work: (turn: Turn) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * A message's turn in its participant's queue, from `ParticipantQueue.runOpening`. A store
 * sharing the queue's Redis takes it in `open`'s own script (joining the queue there) and
 * gives it back in the last `commit`'s, so that a message from someone with nothing else
 * under way costs two round trips, not four; another store calls `take` in `open`.
 */
export interface Turn {
  /** Names this message in the participant's queue. */
  readonly token: string;
  readonly leaseMs: number;
  /**
   * `pending`: not taken yet (`open` takes it); `held`: taken, and a commit may give it
   * back; `settled`: nothing for a store to do (given back, or held by other means).
   */
  readonly state: 'pending' | 'held' | 'settled';
  /** Takes the turn the queue's own way. */
  take(): Promise<void>;
  /** `open` joined the queue in its script: resolves once the turn is held (at once if `first`). */
  joined(first: boolean): Promise<void>;
  /** A commit gave the turn back in its script. */
  released(): void;
}

/** The store is unreachable or too slow: the caller should answer so that the provider retries. */
export class StoreUnavailableError extends Error {
  readonly code = 'store_unavailable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** The participant's turn did not come in time (another message held it too long). */
export class ParticipantBusyError extends Error {
  readonly code = 'participant_busy';
  constructor() {
    super('another message from this participant is still being handled');
    this.name = 'ParticipantBusyError';
  }
}
