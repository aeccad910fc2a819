import type { Session } from '../engine/types.js';
import { participantId, type ParticipantKey, type SessionStore } from './session-store.js';

/** Sessions in this process's memory: the embedded default and unit tests. Lost on restart. */
export class MemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, { session: Session; expiresAt: number }>();

  constructor(private readonly clock: () => Date) {}

  async load(key: ParticipantKey): Promise<Session | undefined> {
    const entry = this.sessions.get(participantId(key));
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.clock().getTime()) {
      this.sessions.delete(participantId(key));
      return undefined;
    }
    return entry.session;
  }

  async save(key: ParticipantKey, session: Session, ttlMs: number): Promise<'saved' | 'conflict'> {
    const stored = await this.load(key);
    const fresh =
      stored === undefined ||
      session.startedAt !== stored.startedAt ||
      session.flowId !== stored.flowId;
    if (!fresh && stored.revision !== session.revision - 1) return 'conflict';
    this.sessions.set(participantId(key), { session, expiresAt: this.clock().getTime() + ttlMs });
    return 'saved';
  }

  async delete(key: ParticipantKey): Promise<void> {
    this.sessions.delete(participantId(key));
  }

  async close(): Promise<void> {
    this.sessions.clear();
  }
}
