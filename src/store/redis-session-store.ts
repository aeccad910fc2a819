import type { Redis } from 'ioredis';
import type { Session } from '../engine/types.js';
import { flowResponsesKey, outboxKey } from '../responses/redis-response-store.js';
import { flowStatsKey } from './flow-stats.js';
import type { RateHit } from './rate-limiter.js';
import { rateKey } from './redis-rate-limiter.js';
import { RedisKeyScheme, seenMember, type ParticipantKeys } from './redis-keys.js';
import { defineLuaCommands, type LuaCommand } from './redis-lua.js';
import { SESSION_COMMANDS } from './redis-session-scripts.js';
import { decodeSession, encodeSession } from './session-codec.js';
import {
  DEDUPE_WINDOW_MS,
  HISTORY_LIMIT,
  StoreUnavailableError,
  type CommitResult,
  type OpenedSession,
  type ParticipantKey,
  type SessionCommit,
  type SessionStore,
  type Turn,
} from './session-store.js';

/**
 * Ended sessions are kept this long, refreshed on each write. A stand-in: the retention
 * rules (per commissioning body, per flow) come later and will replace it; until then a
 * long bound keeps partial answers for reporting without keeping them for ever.
 */
export const HISTORY_TTL_MS = 400 * 86_400_000;

/** `/readyz` must answer quickly even when Redis hangs rather than refuses. */
const DEFAULT_PING_TIMEOUT_MS = 1_000;

export interface RedisSessionStoreOptions {
  /**
   * The client is the caller's to create and close (it is usually shared with the participant
   * queue and the job queue). Give it a `commandTimeout` and a small `maxRetriesPerRequest`, so
   * that a Redis outage turns into `StoreUnavailableError` quickly instead of a hung request.
   */
  readonly redis: Redis;
  /** Key prefix, default `cv:`; see redis-keys.ts. */
  readonly prefix?: string | undefined;
  /** The participant-ref secret that keeps addresses out of keys. */
  readonly secret: string;
  readonly pingTimeoutMs?: number | undefined;
}

/**
 * Message ids kept per participant at most: the earliest go first beyond it. A provider
 * retries within minutes, and rate limits keep real traffic far below this; the bound keeps
 * the `ids` field (under 3 KB) cheap to read whole.
 */
export const MESSAGE_ID_LIMIT = 100;

/**
 * Sessions shared by every process through one Redis (or Cluster: see the hash tag in
 * redis-keys.ts). Each commit is one Lua script, so its checks and writes are atomic.
 * Needs Redis 5 or later (the scripts write after reading TIME).
 */
export class RedisSessionStore implements SessionStore {
  private readonly redis: Redis;
  private readonly keys: RedisKeyScheme;
  private readonly pingTimeoutMs: number;
  private readonly scripts: Record<keyof typeof SESSION_COMMANDS, LuaCommand>;

  constructor(options: RedisSessionStoreOptions) {
    this.redis = options.redis;
    this.keys = new RedisKeyScheme({ prefix: options.prefix, secret: options.secret });
    this.pingTimeoutMs = options.pingTimeoutMs ?? DEFAULT_PING_TIMEOUT_MS;
    this.scripts = defineLuaCommands(this.redis, SESSION_COMMANDS);
  }

  async load(key: ParticipantKey): Promise<Session | undefined> {
    const { session } = this.keys.participant(key);
    const json = await this.attempt('load', () => this.scripts.load(session));
    return typeof json === 'string' ? decodeSession(json) : undefined;
  }

  async open(
    key: ParticipantKey,
    messageId: string | undefined,
    turn?: Turn,
    hit?: RateHit,
  ): Promise<OpenedSession> {
    const keys = this.keys.participant(key);
    const member = messageId === undefined ? '' : seenMember(messageId);
    const [window, windowMs, events] = this.window(keys, hit);
    if (turn?.state === 'pending') {
      const reply = await this.attempt('open', () =>
        this.scripts.openInTurn(
          keys.seen,
          keys.optout,
          keys.session,
          keys.queue,
          keys.alive,
          window,
          member,
          turn.token,
          turn.leaseMs,
          windowMs,
          events,
        ),
      );
      const [first, ...opened] = Array.isArray(reply) ? (reply as unknown[]) : [];
      await turn.joined(first === 1);
      // Someone else held the turn: what was read then may have changed since.
      if (first === 1) return openedFrom(opened, hit);
    }
    const reply = await this.attempt('open', () =>
      this.scripts.open(keys.seen, keys.optout, keys.session, window, member, windowMs, events),
    );
    return openedFrom(Array.isArray(reply) ? (reply as unknown[]) : [], hit);
  }

  async commit(key: ParticipantKey, change: SessionCommit): Promise<CommitResult> {
    const keys = this.keys.participant(key);
    const { session } = change;
    const json = encodeSession(session);
    const release = change.release?.state === 'held' ? change.release : undefined;
    const [window, windowMs, events] = this.window(keys, change.hit);
    const reply = await this.attempt('commit', () =>
      this.scripts.commit(
        keys.session,
        keys.seen,
        keys.optout,
        keys.history,
        keys.responses,
        flowResponsesKey(this.keys.prefix, session.flowId),
        outboxKey(this.keys.prefix),
        flowStatsKey(this.keys.prefix, session.flowId),
        keys.queue,
        keys.alive,
        window,
        change.expectedRevision === null ? '' : String(change.expectedRevision),
        String(session.revision),
        json,
        // PEXPIRE takes whole milliseconds; 0 or less removes the session, as memory does.
        Math.max(0, Math.ceil(change.ttlMs)),
        change.messageId === undefined ? '' : seenMember(change.messageId),
        DEDUPE_WINDOW_MS,
        session.status === 'opted_out' ? '1' : '0',
        session.status === 'active' ? '0' : '1',
        HISTORY_LIMIT,
        HISTORY_TTL_MS,
        change.record?.id ?? '',
        change.record === undefined ? '' : JSON.stringify(change.record),
        session.flowId,
        (change.counts ?? []).join(','),
        release?.token ?? '',
        windowMs,
        events,
        MESSAGE_ID_LIMIT,
      ),
    );
    release?.released();
    const [result, count] = Array.isArray(reply) ? (reply as unknown[]) : [];
    if (typeof count === 'number') change.hit?.counted(count);
    if (result !== 'saved' && result !== 'conflict' && result !== 'duplicate') {
      throw new StoreUnavailableError(`redis commit answered ${String(result)}`);
    }
    return result;
  }

  async seen(key: ParticipantKey, messageId: string): Promise<boolean> {
    const { session, seen } = this.keys.participant(key);
    const result = await this.attempt('seen', () =>
      this.scripts.seen(session, seen, seenMember(messageId)),
    );
    return result === 1;
  }

  async history(key: ParticipantKey): Promise<Session[]> {
    const { history } = this.keys.participant(key);
    const entries = await this.attempt('history', () => this.redis.lrange(history, 0, -1));
    return entries.map(decodeSession);
  }

  async isOptedOut(key: ParticipantKey): Promise<boolean> {
    const { optout } = this.keys.participant(key);
    return (await this.attempt('isOptedOut', () => this.redis.exists(optout))) === 1;
  }

  async setOptedOut(key: ParticipantKey, optedOut: boolean): Promise<void> {
    const { optout } = this.keys.participant(key);
    await this.attempt('setOptedOut', async () => {
      if (optedOut) await this.redis.set(optout, '1');
      else await this.redis.del(optout);
    });
  }

  /**
   * Removes every key that holds data about the participant, in one DEL (atomic, and all in
   * one slot). The `queue` and `alive` keys are left alone: they hold only random tokens and
   * lapse within a lease, and deleting them would hand the turn to a waiting message while
   * the work that called `delete` is still running.
   */
  async delete(key: ParticipantKey): Promise<void> {
    const keys: ParticipantKeys = this.keys.participant(key);
    await this.attempt('delete', () =>
      this.redis.del(keys.session, keys.seen, keys.history, keys.optout),
    );
  }

  /** Never throws: false when Redis refuses, fails or does not answer within the timeout. */
  async ping(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), this.pingTimeoutMs);
    });
    const answer = this.redis.ping().then(
      (reply) => reply === 'PONG',
      () => false,
    );
    try {
      return await Promise.race([answer, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The client belongs to whoever created it (it is shared), so there is nothing to close. */
  async close(): Promise<void> {}

  /**
   * A hit's window key, ms and events; without a hit, none to count (and the session's key
   * in the window's place: a script's keys are fixed in number, and this one is not touched).
   */
  private window(keys: ParticipantKeys, hit: RateHit | undefined): [string, number, number] {
    if (hit === undefined) return [keys.session, 0, 0];
    return [rateKey(this.keys.prefix, hit.name, hit.key), hit.windowMs, hit.events];
  }

  private async attempt<T>(operation: string, command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw new StoreUnavailableError(`redis ${operation} failed`, { cause: error });
    }
  }
}

function openedFrom([seen, optedOut, json, count]: unknown[], hit?: RateHit): OpenedSession {
  if (typeof count === 'number') hit?.counted(count);
  return {
    duplicate: seen === 1,
    optedOut: optedOut === 1,
    session: typeof json === 'string' ? decodeSession(json) : undefined,
  };
}
