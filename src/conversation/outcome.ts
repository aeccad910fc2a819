import type { EngineEvent, Reply, SessionStatus } from '../engine/types.js';

/** What handling a message (or starting a flow) came to, for the channel to deliver. */
export interface Outcome {
  readonly replies: readonly Reply[];
  readonly events: readonly EngineEvent[];
  /** The session's status after this message, or `none` when the message started nothing. */
  readonly status: SessionStatus | 'none';
  readonly flowId: string | undefined;
  /** The provider sent this message before: it was not handled again. */
  readonly duplicate: boolean;
  /** The inbound window's count, when past its limit: the message was not handled. */
  readonly flooded?: number | undefined;
  /** The outbound window's count, these replies included, when the commit counted them. */
  readonly sent?: number | undefined;
}

/** A message that started and changed nothing. */
export const NOTHING: Outcome = {
  replies: [],
  events: [],
  status: 'none',
  flowId: undefined,
  duplicate: false,
};
/** A message the provider sent before, not handled again. */
export const DUPLICATE: Outcome = { ...NOTHING, duplicate: true };
/** Nothing is said to someone who has opted out, not even how to take part. */
export const OPTED_OUT: Outcome = { ...NOTHING, status: 'opted_out' };
