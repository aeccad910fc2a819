import type { Reply } from '../engine/types.js';
import type { Channel, ParticipantKey } from '../store/session-store.js';

/**
 * Sends messages nobody is waiting on (reminders, invitations) on one channel. Replies to
 * an inbound message usually ride on the response instead (TwiML, the web chat's JSON).
 */
export interface OutboundSender {
  /** `flowId` lets delivery reports name the consultation a message belonged to. */
  send(
    key: ParticipantKey,
    replies: readonly Reply[],
    context?: { readonly flowId?: string | undefined },
  ): Promise<void>;
}

/** The channels that can reach a person unprompted; the web chat and terminal cannot. */
export type OutboundSenders = Partial<Record<Channel, OutboundSender>>;
