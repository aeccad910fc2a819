import { createHash } from 'node:crypto';
import { participantRef } from './participant-ref.js';
import type { ParticipantKey } from './session-store.js';

/**
 * The Redis key scheme, in one place. Every key of one participant is
 *
 *   `${prefix}p:{${ref}}:${part}`
 *
 * where `ref` is `participantRef(key, secret)`: a keyed hash, so a phone number or Slack id
 * never appears in a key (keys show up in `MONITOR`, slow logs and backups). The `{ref}` is a
 * Redis Cluster hash tag: all of a participant's keys live in one slot, which is what lets
 * one Lua script touch them together.
 *
 * | part      | type   | holds                                                             | expiry                        |
 * |-----------|--------|-------------------------------------------------------------------|-------------------------------|
 * | `session` | hash   | `rev` (the revision, so scripts need not decode JSON), `json`     | the commit's `ttlMs`, or the  |
 * |           |        | (compact: session-codec.ts), `ids`: the message ids within their  | last id's window if later     |
 * |           |        | window, and `exp` (ms) when kept past the session's own ttl for   |                               |
 * |           |        | its ids (see redis-session-scripts.ts)                            |                               |
 * | `seen`    | zset   | the message ids of older versions: read, never written, until     | `DEDUPE_WINDOW_MS`            |
 * |           |        | they lapse                                                        |                               |
 * | `history` | list   | compact JSON of ended sessions, newest first, `HISTORY_LIMIT` max | 400 days, on write            |
 * | `optout`  | string | `1` while the person has sent STOP                                | none: kept until START/delete |
 * | `responses` | set  | `<flow> <stream id>` of each response record (for erasure)          | none: kept with the records   |
 * | `queue`   | list   | tokens of messages holding or awaiting the turn, in arrival order | twice the lease, on write     |
 * | `alive`   | hash   | token → lease expiry (ms, Redis time)                             | twice the lease, on write     |
 *
 * Message ids live in the session hash rather than a key of their own (per id or per
 * participant): a key costs more than the ids it holds, `delete` stays a single DEL of known
 * keys (no SCAN of the keyspace, no race with a commit adding a key mid-scan), and the commit
 * script prunes lapsed ids as it saves. An id is kept as the first 16 hex of
 * sha256(message id): `seenMember`.
 *
 * `prefix` (default `cv:`) lets several deployments and test runs share one Redis.
 */
export const DEFAULT_KEY_PREFIX = 'cv:';

export interface ParticipantKeys {
  readonly session: string;
  readonly seen: string;
  readonly history: string;
  readonly optout: string;
  readonly responses: string;
  readonly queue: string;
  readonly alive: string;
}

export interface KeySchemeOptions {
  readonly prefix?: string | undefined;
  /** The participant-ref secret; changing it orphans every stored key. */
  readonly secret: string;
}

export type KeySchemeErrorCode = 'key_prefix_invalid' | 'key_secret_missing';

/** The store was configured in a way that would break the key scheme. */
export class KeySchemeError extends Error {
  constructor(
    readonly code: KeySchemeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'KeySchemeError';
  }
}

/** Builds a participant's keys; checks the options once, up front. */
export class RedisKeyScheme {
  readonly prefix: string;
  private readonly secret: string;

  constructor(options: KeySchemeOptions) {
    const prefix = options.prefix ?? DEFAULT_KEY_PREFIX;
    // Redis hashes the first `{…}` in a key: a brace in the prefix would put every
    // participant in one cluster slot (or split one participant's keys across slots).
    if (/[{}]/.test(prefix)) {
      throw new KeySchemeError(
        'key_prefix_invalid',
        `the Redis key prefix must not contain braces: '${prefix}'`,
      );
    }
    // Without a secret the ref is a plain hash of an enumerable phone number: reversible.
    if (options.secret.length === 0) {
      throw new KeySchemeError(
        'key_secret_missing',
        'a secret is needed to hide addresses in Redis keys',
      );
    }
    this.prefix = prefix;
    this.secret = options.secret;
  }

  participant(key: ParticipantKey): ParticipantKeys {
    return this.ofRef(participantRef(key, this.secret));
  }

  /** The keys of the participant with this ref, e.g. the respondent of a stored record. */
  ofRef(ref: string): ParticipantKeys {
    const base = `${this.prefix}p:{${ref}}:`;
    return {
      session: `${base}session`,
      seen: `${base}seen`,
      history: `${base}history`,
      optout: `${base}optout`,
      responses: `${base}responses`,
      queue: `${base}queue`,
      alive: `${base}alive`,
    };
  }
}

/** A message id as the store keeps it: fixed size, and the provider's id is not kept. */
export function seenMember(messageId: string): string {
  return createHash('sha256').update(messageId).digest('hex').slice(0, 16);
}
