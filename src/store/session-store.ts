import type { Session } from '../engine/types.js';

export type Channel = 'web' | 'sms' | 'whatsapp' | 'slack' | 'terminal';

/** Who a session belongs to: one respondent on one channel. */
export interface ParticipantKey {
  readonly channel: Channel;
  readonly address: string;
}

/**
 * Where sessions live between messages. `save` refuses a session whose revision does not
 * follow the stored one, so two processes can never overwrite each other's work.
 */
export interface SessionStore {
  load(key: ParticipantKey): Promise<Session | undefined>;
  /** Stores `session` if the stored revision is `session.revision - 1` (or none is stored and it is a new session). */
  save(key: ParticipantKey, session: Session, ttlMs: number): Promise<'saved' | 'conflict'>;
  delete(key: ParticipantKey): Promise<void>;
  close(): Promise<void>;
}

export function participantId(key: ParticipantKey): string {
  return `${key.channel}:${key.address}`;
}
