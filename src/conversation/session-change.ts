import type { Session, SessionStatus, StepResult } from '../engine/types.js';
import { responseRecordFor, type RecordSource } from '../responses/record.js';
import type { FlowStatField } from '../store/flow-stats.js';
import type { RateHit } from '../store/rate-limiter.js';
import type { SessionCommit } from '../store/session-store.js';
import type { RateWindow } from './receive-options.js';

/** How long a session outlives its expiry, so a reply just after it still finds the answers. */
const SESSION_GRACE_MS = 7 * 86_400_000;

/** What a step's result is, and where it came from, as the commit needs to know it. */
export interface StepOutcome {
  readonly stored: Session | undefined;
  readonly result: StepResult;
  readonly messageId: string | undefined;
  /** The person wrote this (rather than an invitation or a timer acting). */
  readonly replied: boolean;
  readonly now: Date;
  /** The flow keeps an unfinished session's answers in its record. */
  readonly keepPartial: boolean;
  /** Who the response record names, asked for only when the session ends in this change. */
  readonly recordSource: () => RecordSource;
}

/** The parts of a commit that the turn and the rate limits do not decide. */
export type SessionChange = Omit<SessionCommit, 'release' | 'hit'>;

/**
 * What a commit writes beside the session: how long it is kept, the response record of a
 * session that ends here, and the flow's counters it moves on. `started` counts people who
 * took part: the first message they send in a session marks it replied.
 */
export function sessionChange(outcome: StepOutcome): SessionChange {
  const { stored, result, now } = outcome;
  const firstReply = outcome.replied && result.session.repliedAt === undefined;
  const session = firstReply ? { ...result.session, repliedAt: now.toISOString() } : result.session;
  const ending = endingOf(stored, result);
  return {
    session,
    expectedRevision: stored?.revision ?? null,
    messageId: outcome.messageId,
    ttlMs: Math.max(1, Date.parse(session.expiresAt) - now.getTime()) + SESSION_GRACE_MS,
    record:
      ending === undefined
        ? undefined
        : responseRecordFor(session, outcome.keepPartial, outcome.recordSource()),
    counts: [
      ...(firstReply ? ['started' as const] : []),
      ...(ending === undefined ? [] : [ending]),
    ],
  };
}

/** Events counted against a rate-limit window when the commit (or open) saves them. */
export function rateHitOf(
  window: RateWindow,
  events: number,
  counted: (count: number) => void,
): RateHit {
  return { name: window.name, key: window.key, windowMs: window.windowMs, events, counted };
}

type EndedStatus = Exclude<SessionStatus, 'active'>;
/** Every way a session ends is counted per flow. */
const ENDED_COUNTS = {
  completed: 'completed',
  expired: 'expired',
  opted_out: 'opted_out',
  halted: 'halted',
  declined: 'declined',
} as const satisfies Record<EndedStatus, FlowStatField>;

/** How the session ended in this change, if it did (it was under way before, or began in it). */
function endingOf(stored: Session | undefined, result: StepResult): FlowStatField | undefined {
  const { status } = result.session;
  if (status === 'active') return undefined;
  const began = result.events.some((event) => event.type === 'flow_started');
  return began || stored?.status === 'active' ? ENDED_COUNTS[status] : undefined;
}
