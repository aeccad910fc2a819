import type { Redis } from 'ioredis';
import { RedisKeyScheme, type ParticipantKeys } from './redis-keys.js';
import { defineLuaCommands, REDIS_NOW_MS, type LuaCommand, type LuaScript } from './redis-lua.js';
import { LEAVE_LUA, RedisTurn, TURN_LUA, type QueueWarning, type TurnQueue } from './redis-turn.js';
import {
  StoreUnavailableError,
  type ParticipantKey,
  type ParticipantQueue,
  type Turn,
} from './session-store.js';

export type { QueueWarning } from './redis-turn.js';

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

/** KEYS: queue, alive. ARGV: token, lease ms. See redis-turn.ts. */
const JOIN = `${REDIS_NOW_MS}${TURN_LUA}
return join(KEYS[1], KEYS[2], ARGV[1], tonumber(ARGV[2]))
`;

// Membership is read from the hash: the list and the hash only ever change together.
const TURN = `${REDIS_NOW_MS}${TURN_LUA}
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return -1 end
hold(KEYS[1], KEYS[2], ARGV[1], tonumber(ARGV[2]))
return take_turn(KEYS[1], KEYS[2], ARGV[1])
`;

const RENEW = `${REDIS_NOW_MS}${TURN_LUA}
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return 0 end
hold(KEYS[1], KEYS[2], ARGV[1], tonumber(ARGV[2]))
return 1
`;

const LEAVE = `${LEAVE_LUA}
leave(KEYS[1], KEYS[2], ARGV[1])
return 1
`;

const COMMANDS = {
  join: { name: 'carevoiceQueueJoin', keys: 2, lua: JOIN, readOnly: false },
  turn: { name: 'carevoiceQueueTurn', keys: 2, lua: TURN, readOnly: false },
  renew: { name: 'carevoiceQueueRenew', keys: 2, lua: RENEW, readOnly: false },
  leave: { name: 'carevoiceQueueLeave', keys: 2, lua: LEAVE, readOnly: false },
} as const satisfies Record<string, LuaScript>;

/**
 * One message per participant at a time, in order of arrival, across every process sharing
 * the Redis (see redis-turn.ts). Leases use Redis TIME, so the processes' clocks need not
 * agree (scripts that write after TIME need Redis 5 or later). `runOpening` lets the
 * session store take and give back the turn in its own scripts: the common message, from
 * someone with nothing else under way, then costs no round trip of its own here.
 *
 * This is for order and for not wasting work; it is not the last line of defence: a holder
 * that stalls past its lease can overlap with the next one, and then the session store's
 * revision check refuses the second commit.
 */
export class RedisParticipantQueue implements ParticipantQueue {
  private readonly keys: RedisKeyScheme;
  private readonly scripts: Record<keyof typeof COMMANDS, LuaCommand>;
  private readonly turns: TurnQueue;
  private readonly running = new Set<Promise<unknown>>();
  /** Local waiters by queue key, woken when a turn in this process ends. */
  private readonly sleepers = new Map<string, Set<() => void>>();

  constructor(options: RedisParticipantQueueOptions) {
    this.keys = new RedisKeyScheme({ prefix: options.prefix, secret: options.secret });
    this.scripts = defineLuaCommands(options.redis, COMMANDS);
    const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.turns = {
      leaseMs,
      maxWaitMs: options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS,
      call: (script, keys, token) => this.call(script, keys, token, leaseMs),
      sleep: (queueKey, ms) => this.sleep(queueKey, ms),
      wake: (queueKey) => this.wake(queueKey),
      warn: options.warn ?? ((): void => undefined),
    };
  }

  run<T>(key: ParticipantKey, work: () => Promise<T>): Promise<T> {
    return this.runOpening(key, async (turn) => {
      await turn.take();
      return work();
    });
  }

  runOpening<T>(key: ParticipantKey, work: (turn: Turn) => Promise<T>): Promise<T> {
    const result = this.inTurn(this.keys.participant(key), work);
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

  private async inTurn<T>(keys: ParticipantKeys, work: (turn: Turn) => Promise<T>): Promise<T> {
    const turn = new RedisTurn(this.turns, keys);
    try {
      return await work(turn);
    } finally {
      await turn.end();
    }
  }

  private async call(
    script: keyof typeof COMMANDS,
    keys: ParticipantKeys,
    token: string,
    leaseMs: number,
  ): Promise<number> {
    try {
      const result = await this.scripts[script](keys.queue, keys.alive, token, leaseMs);
      return typeof result === 'number' ? result : Number(result);
    } catch (error) {
      throw new StoreUnavailableError(`redis queue ${script} failed`, { cause: error });
    }
  }

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
