import type { Session } from '../engine/types.js';
import { MemoryResponseStore } from '../responses/memory-response-store.js';
import { MemoryFlowStats } from './flow-stats.js';
import { MemoryRateLimiter, type RateHit } from './rate-limiter.js';
import {
  DEDUPE_WINDOW_MS,
  HISTORY_LIMIT,
  type CommitResult,
  type OpenedSession,
  type ParticipantKey,
  type SessionCommit,
  type SessionStore,
  type Turn,
} from './session-store.js';

interface Entry {
  session?: { value: Session; expiresAt: number } | undefined;
  seen: Map<string, number>;
  history: Session[];
  optedOut: boolean;
}

/** Where the memory store puts what a commit writes beside the session. */
export interface MemoryStoreParts {
  readonly responses?: MemoryResponseStore | undefined;
  readonly stats?: MemoryFlowStats | undefined;
  /** Where `open` and `commit` count their hits: the limiter the channels use. */
  readonly limiter?: MemoryRateLimiter | undefined;
}

/** Sessions in this process's memory: the embedded default and unit tests. Lost on restart. */
export class MemorySessionStore implements SessionStore {
  private readonly entries = new Map<string, Entry>();
  readonly responses: MemoryResponseStore;
  readonly stats: MemoryFlowStats;
  private readonly limiter: MemoryRateLimiter;

  constructor(
    private readonly clock: () => Date,
    parts: MemoryStoreParts = {},
  ) {
    this.responses = parts.responses ?? new MemoryResponseStore(clock);
    this.stats = parts.stats ?? new MemoryFlowStats();
    this.limiter = parts.limiter ?? new MemoryRateLimiter(clock);
  }

  async load(key: ParticipantKey): Promise<Session | undefined> {
    return this.current(key);
  }

  /** A turn of a shared queue is taken the queue's way: this store has no script to fold it into. */
  async open(
    key: ParticipantKey,
    messageId: string | undefined,
    turn?: Turn,
    hit?: RateHit,
  ): Promise<OpenedSession> {
    if (turn?.state === 'pending') await turn.take();
    if (hit !== undefined) await this.count(hit);
    return {
      duplicate: messageId !== undefined && (await this.seen(key, messageId)),
      optedOut: this.entry(key).optedOut,
      session: this.current(key),
    };
  }

  async commit(key: ParticipantKey, change: SessionCommit): Promise<CommitResult> {
    const entry = this.entry(key);
    const now = this.clock().getTime();
    for (const [messageId, until] of entry.seen) if (until <= now) entry.seen.delete(messageId);
    if (change.messageId !== undefined && (entry.seen.get(change.messageId) ?? 0) > now)
      return 'duplicate';
    if ((this.current(key)?.revision ?? null) !== change.expectedRevision) return 'conflict';
    const { session } = change;
    entry.session = { value: session, expiresAt: now + change.ttlMs };
    if (change.messageId !== undefined) entry.seen.set(change.messageId, now + DEDUPE_WINDOW_MS);
    if (session.status === 'opted_out') entry.optedOut = true;
    if (session.status !== 'active')
      entry.history = [session, ...entry.history].slice(0, HISTORY_LIMIT);
    if (change.record !== undefined) this.responses.append(change.record);
    for (const field of change.counts ?? []) void this.stats.add(session.flowId, field);
    if (change.hit !== undefined) await this.count(change.hit);
    return 'saved';
  }

  private async count(hit: RateHit): Promise<void> {
    const { count } = await this.limiter.hit(hit.name, hit.key, hit.windowMs, hit.events);
    hit.counted(count);
  }

  async seen(key: ParticipantKey, messageId: string): Promise<boolean> {
    return (this.entry(key).seen.get(messageId) ?? 0) > this.clock().getTime();
  }

  async history(key: ParticipantKey): Promise<Session[]> {
    return [...this.entry(key).history];
  }

  async isOptedOut(key: ParticipantKey): Promise<boolean> {
    return this.entry(key).optedOut;
  }

  async setOptedOut(key: ParticipantKey, optedOut: boolean): Promise<void> {
    this.entry(key).optedOut = optedOut;
  }

  async delete(key: ParticipantKey): Promise<void> {
    this.entries.delete(id(key));
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.entries.clear();
  }

  private current(key: ParticipantKey): Session | undefined {
    const stored = this.entries.get(id(key))?.session;
    return stored !== undefined && stored.expiresAt > this.clock().getTime()
      ? stored.value
      : undefined;
  }

  private entry(key: ParticipantKey): Entry {
    let entry = this.entries.get(id(key));
    if (entry === undefined) {
      entry = { seen: new Map(), history: [], optedOut: false };
      this.entries.set(id(key), entry);
    }
    return entry;
  }
}

function id(key: ParticipantKey): string {
  return `${key.channel}\u0000${key.address}`;
}
