import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { RedisKeyScheme, type ParticipantKeys } from './redis-keys.js';
import { defineLuaCommands, REDIS_NOW_MS, type LuaCommand, type LuaScript } from './redis-lua.js';
import {
  ParticipantBusyError,
  StoreUnavailableError,
  type ParticipantKey,
  type ParticipantQueue,
} from './session-store.js';

export interface QueueWarning {
  /**
   * `lease_lost`: this holder's lease lapsed (the process stalled or Redis was unreachable
   * longer than a lease) and another message may now run alongside it; the session store's
   * revision check still refuses the second commit, so nothing is lost, but it is worth a log.
   */
  readonly code: 'lease_renew_failed' | 'lease_lost' | 'release_failed';
  readonly cause?: unknown;
}

export interface RedisParticipantQueueOptions {
  /** The caller's client (shared, so the caller closes it). */
  readonly redis: Redis;
  readonly prefix?: string | undefined;
  readonly secret: string;
  /** How long a crashed holder or waiter can block the others. Renewed while work runs. */
  readonly leaseMs?: number | undefined;
  /** How long a message waits for its turn before `ParticipantBusyError`. */
  readonly maxWaitMs?: number | undefined;
  /** Trouble that happens in the background of `run` and cannot be thrown from it. */
  readonly warn?: ((warning: QueueWarning) => void) | undefined;
}

const DEFAULT_LEASE_MS = 30_000;
const DEFAULT_MAX_WAIT_MS = 10_000;
const FIRST_POLL_MS = 2;
const LONGEST_POLL_MS = 50;

/**
 * Shared by the scripts below. KEYS: queue, alive. ARGV: token, lease ms.
 * Keys expire at twice the longest lease anyone asked for (never shortened by a process with
 * a shorter lease), so a queue whose every process died disappears on its own.
 */
const PRELUDE = `${REDIS_NOW_MS}
local lease = tonumber(ARGV[2])
local function hold()
  redis.call('HSET', KEYS[2], ARGV[1], string.format('%.0f', now + lease))
  for _, key in ipairs(KEYS) do
    if redis.call('PTTL', key) < 2 * lease then redis.call('PEXPIRE', key, 2 * lease) end
  end
end
`;

/**
 * 1: my turn (I am the head). 0: not yet. -1: my token is gone (my lease lapsed and a later
 * message evicted me); the caller joins again. Heads whose lease has lapsed (a crashed
 * holder, or a waiter that stopped polling) are dropped on the way.
 */
const TAKE_TURN = `
while true do
  local head = redis.call('LINDEX', KEYS[1], 0)
  if not head then
    redis.call('HDEL', KEYS[2], ARGV[1])
    return -1
  end
  if head == ARGV[1] then return 1 end
  local until_ms = tonumber(redis.call('HGET', KEYS[2], head) or '0')
  if until_ms > now then return 0 end
  redis.call('LPOP', KEYS[1])
  redis.call('HDEL', KEYS[2], head)
end
`;

/** The list gives the order of arrival; the hash says who is still alive. */
const JOIN_LUA = `${PRELUDE}
redis.call('RPUSH', KEYS[1], ARGV[1])
hold()
${TAKE_TURN}`;

// Membership is read from the hash: the list and the hash only ever change together.
const TURN_LUA = `${PRELUDE}
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return -1 end
hold()
${TAKE_TURN}`;

const RENEW_LUA = `${PRELUDE}
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return 0 end
hold()
return 1
`;

const LEAVE_LUA = `
redis.call('LREM', KEYS[1], 0, ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
`;

const COMMANDS = {
  join: { name: 'carevoiceQueueJoin', keys: 2, lua: JOIN_LUA, readOnly: false },
  turn: { name: 'carevoiceQueueTurn', keys: 2, lua: TURN_LUA, readOnly: false },
  renew: { name: 'carevoiceQueueRenew', keys: 2, lua: RENEW_LUA, readOnly: false },
  leave: { name: 'carevoiceQueueLeave', keys: 2, lua: LEAVE_LUA, readOnly: false },
} as const satisfies Record<string, LuaScript>;

/**
 * One message per participant at a time, in order of arrival, across every process sharing
 * the Redis. Waiters poll with a growing backoff (Redis has no blocking "wait until I am the
 * head of this list"); a release in this process wakes its local waiters at once. Leases use
 * Redis TIME, so the processes' clocks need not agree (scripts that write after TIME need
 * Redis 5 or later).
 *
 * This is for order and for not wasting work; it is not the last line of defence: a holder
 * that stalls past its lease can overlap with the next one, and then the session store's
 * revision check refuses the second commit.
 */
export class RedisParticipantQueue implements ParticipantQueue {
  private readonly keys: RedisKeyScheme;
  private readonly leaseMs: number;
  private readonly maxWaitMs: number;
  private readonly warn: (warning: QueueWarning) => void;
  private readonly scripts: Record<keyof typeof COMMANDS, LuaCommand>;
  private readonly running = new Set<Promise<unknown>>();
  /** Local waiters by queue key, woken when a turn in this process ends. */
  private readonly sleepers = new Map<string, Set<() => void>>();

  constructor(options: RedisParticipantQueueOptions) {
    this.keys = new RedisKeyScheme({ prefix: options.prefix, secret: options.secret });
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
    this.warn = options.warn ?? ((): void => undefined);
    this.scripts = defineLuaCommands(options.redis, COMMANDS);
  }

  run<T>(key: ParticipantKey, work: () => Promise<T>): Promise<T> {
    const result = this.runInTurn(this.keys.participant(key), work);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.running.add(settled);
    void settled.then(() => this.running.delete(settled));
    return result;
  }

  /** Waits for the work already started; the client is the caller's to close. */
  async close(): Promise<void> {
    await Promise.all(this.running);
  }

  private async runInTurn<T>(keys: ParticipantKeys, work: () => Promise<T>): Promise<T> {
    const token = await this.awaitTurn(keys);
    const renewal = this.keepLease(keys, token);
    try {
      return await work();
    } finally {
      clearInterval(renewal);
      try {
        await this.call('leave', keys, token);
      } catch (error) {
        // The work is done (and committed): failing it now would only make the provider
        // resend a message already handled. The lease lapses on its own.
        this.warn({ code: 'release_failed', cause: error });
      }
      this.wake(keys.queue);
    }
  }

  /** Joins the queue and returns the token once it is at the head. */
  private async awaitTurn(keys: ParticipantKeys): Promise<string> {
    const deadline = performance.now() + this.maxWaitMs;
    let token = randomUUID();
    try {
      let turn = await this.call('join', keys, token);
      let pause = FIRST_POLL_MS;
      while (turn !== 1) {
        const left = deadline - performance.now();
        if (left <= 0) throw new ParticipantBusyError();
        // Jitter keeps many waiters from polling in step.
        const woken = await this.sleep(keys.queue, Math.min(left, pause * (0.5 + Math.random())));
        pause = woken ? FIRST_POLL_MS : Math.min(pause * 2, LONGEST_POLL_MS);
        if (turn === -1) {
          // Our place was taken away (we stalled past a lease): join again at the back.
          token = randomUUID();
          turn = await this.call('join', keys, token);
        } else {
          turn = await this.call('turn', keys, token);
        }
      }
      return token;
    } catch (error) {
      // Give the place up (harmless if it is already gone) so nobody waits a lease for it.
      await this.leaveQuietly(keys, token);
      throw error;
    }
  }

  private keepLease(keys: ParticipantKeys, token: string): NodeJS.Timeout {
    let renewing = false;
    const renewal = setInterval(
      () => {
        if (renewing) return;
        renewing = true;
        this.call('renew', keys, token)
          .then((held) => {
            if (held === 1) return;
            // Someone already took the turn over: renewing can never win it back.
            clearInterval(renewal);
            this.warn({ code: 'lease_lost' });
          })
          .catch((error: unknown) => this.warn({ code: 'lease_renew_failed', cause: error }))
          .finally(() => {
            renewing = false;
          });
      },
      Math.max(1, Math.floor(this.leaseMs / 3)),
    );
    // A lease timer alone must not keep a finished process alive.
    renewal.unref();
    return renewal;
  }

  private async leaveQuietly(keys: ParticipantKeys, token: string): Promise<void> {
    try {
      await this.call('leave', keys, token);
      this.wake(keys.queue);
    } catch {
      // Unreachable Redis: the token's lease lapses and the next waiter drops it.
    }
  }

  private async call(
    script: keyof typeof COMMANDS,
    keys: ParticipantKeys,
    token: string,
  ): Promise<number> {
    try {
      const result = await this.scripts[script](keys.queue, keys.alive, token, this.leaseMs);
      return typeof result === 'number' ? result : Number(result);
    } catch (error) {
      throw new StoreUnavailableError(`redis queue ${script} failed`, { cause: error });
    }
  }

  /** Resolves after `ms`, or earlier (with true) when a turn for this queue ends here. */
  private sleep(queueKey: string, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const sleepers = this.sleepers.get(queueKey) ?? new Set<() => void>();
      this.sleepers.set(queueKey, sleepers);
      const finish = (woken: boolean): void => {
        clearTimeout(timer);
        sleepers.delete(wakeUp);
        if (sleepers.size === 0 && this.sleepers.get(queueKey) === sleepers) {
          this.sleepers.delete(queueKey);
        }
        resolve(woken);
      };
      const wakeUp = (): void => finish(true);
      const timer = setTimeout(() => finish(false), ms);
      sleepers.add(wakeUp);
    });
  }

  private wake(queueKey: string): void {
    for (const wakeUp of [...(this.sleepers.get(queueKey) ?? [])]) wakeUp();
  }
}
