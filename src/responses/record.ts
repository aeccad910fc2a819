import type { Variant } from '../flow/flow.js';
import type { Answer, ConsentGiven, Session } from '../engine/types.js';
import type { Channel } from '../store/session-store.js';

/** `completed`: the respondent reached the end. `partial`: the session expired or halted with answers. */
export type ResponseStatus = 'completed' | 'partial';

/**
 * One respondent's answers to one flow, written in the same atomic step that ends the session:
 * there is never an ended session without its record. Its `id` is fixed when it is written and
 * names it everywhere after (partner deliveries, exports, erasure notices).
 */
export interface ResponseRecord {
  readonly id: string;
  readonly flowId: string;
  readonly flowVersion: string;
  /** The keyed hash of the respondent's channel and address (`PSEUDONYM_KEY`); never the address. */
  readonly respondent: string;
  readonly channel: Channel;
  readonly language: string;
  readonly variant: Variant;
  readonly role: string | null;
  readonly status: ResponseStatus;
  /** By `save` name; open text verbatim. */
  readonly answers: Readonly<Record<string, Answer>>;
  /** The consent the respondent gave (wording key, flow version, time), when the flow asks for it. */
  readonly consent: ConsentGiven | null;
  readonly startedAt: string;
  readonly endedAt: string;
}

export interface RecordSource {
  readonly id: string;
  readonly respondent: string;
  readonly channel: Channel;
  readonly endedAt: Date;
}

/**
 * The record for a session that has just ended, or `undefined` when nothing is to be kept:
 * a completed session always gives one; an expired or halted one only when the flow keeps
 * partial responses and something was answered; an opted-out one never.
 */
export function responseRecordFor(
  session: Session,
  keepPartial: boolean,
  source: RecordSource,
): ResponseRecord | undefined {
  const status = recordStatus(session, keepPartial);
  if (status === undefined) return undefined;
  return {
    id: source.id,
    flowId: session.flowId,
    flowVersion: session.flowVersion,
    respondent: source.respondent,
    channel: source.channel,
    language: session.language,
    variant: session.variant,
    role: session.role ?? null,
    status,
    answers: session.answers,
    consent: session.consent ?? null,
    startedAt: session.startedAt,
    endedAt: source.endedAt.toISOString(),
  };
}

function recordStatus(session: Session, keepPartial: boolean): ResponseStatus | undefined {
  switch (session.status) {
    case 'completed':
      return 'completed';
    case 'expired':
    case 'halted':
      return keepPartial && Object.keys(session.answers).length > 0 ? 'partial' : undefined;
    case 'active':
    case 'opted_out':
    case 'declined':
      return undefined;
  }
}
