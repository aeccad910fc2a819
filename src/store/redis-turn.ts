import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { ParticipantKeys } from './redis-keys.js';
import { ParticipantBusyError, type Turn } from './session-store.js';

/**
 * A participant's queue in Redis: `queue` lists the tokens of the messages holding or
 * awaiting the turn, in order of arrival; `alive` maps each token to its lease expiry (Redis
 * TIME, ms). The head of the list holds the turn while its lease runs. The functions below
 * are shared by the queue's own scripts and by the session store's `open` and `commit`,
 * which take and give back the turn in the same round trip as their reads and writes.
 *
 * They need `now` (see REDIS_NOW_MS) defined before them. Keys expire at twice the longest
 * lease anyone asked for (never shortened by a process with a shorter lease), so a queue
 * whose every process died disappears on its own.
 */
export const TURN_LUA = `
local function hold(queue, alive, token, lease)
  redis.call('HSET', alive, token, string.format('%.0f', now + lease))
  for _, key in ipairs({ queue, alive }) do
    if redis.call('PTTL', key) < 2 * lease then redis.call('PEXPIRE', key, 2 * lease) end
  end
end

-- 1: the turn is the token's (it is the head). 0: not yet. -1: the token is gone (its lease
-- lapsed and a later message evicted it). Heads whose lease has lapsed are dropped.
local function take_turn(queue, alive, token)
  while true do
    local head = redis.call('LINDEX', queue, 0)
    if not head then
      redis.call('HDEL', alive, token)
      return -1
    end
    if head == token then return 1 end
    local until_ms = tonumber(redis.call('HGET', alive, head) or '0')
    if until_ms > now then return 0 end
    redis.call('LPOP', queue)
    redis.call('HDEL', alive, head)
  end
end

local function join(queue, alive, token, lease)
  if redis.call('RPUSH', queue, token) == 1 then
    -- Nobody else holds or awaits the turn: no other lease needs the keys kept longer.
    redis.call('HSET', alive, token, string.format('%.0f', now + lease))
    redis.call('PEXPIRE', queue, 2 * lease)
    redis.call('PEXPIRE', alive, 2 * lease)
    return 1
  end
  hold(queue, alive, token, lease)
  return take_turn(queue, alive, token)
end
`;

/** Lua giving a token's place up (it needs no `now`); the list and the hash change together. */
export const LEAVE_LUA = `
local function leave(queue, alive, token)
  redis.call('LREM', queue, 0, token)
  redis.call('HDEL', alive, token)
end
`;

export interface QueueWarning {
  /**
   * `lease_lost`: this holder's lease lapsed (the process stalled or Redis was unreachable
   * longer than a lease) and another message may now run alongside it; the session store's
   * revision check still refuses the second commit, so nothing is lost, but it is worth a log.
   */
  readonly code: 'lease_renew_failed' | 'lease_lost' | 'release_failed';
  readonly cause?: unknown;
}

/** What a turn needs from its queue: its scripts, and waking and sleeping in this process. */
export interface TurnQueue {
  readonly leaseMs: number;
  readonly maxWaitMs: number;
  call(
    script: 'join' | 'turn' | 'renew' | 'leave',
    keys: ParticipantKeys,
    token: string,
  ): Promise<number>;
  /** Resolves after `ms`, or earlier (with true) when a turn for this queue ends here. */
  sleep(queueKey: string, ms: number): Promise<boolean>;
  wake(queueKey: string): void;
  warn(warning: QueueWarning): void;
}

const FIRST_POLL_MS = 2;
const LONGEST_POLL_MS = 50;

/**
 * One message's turn. Taken by `take` (the queue's join script) or by a store's `open` that
 * joined in its own script (`joined`); renewed while held; given back by a store's `commit`
 * (`released`) or else by `end`. Waiters poll with a growing backoff (Redis has no blocking
 * "wait until I am the head of this list"); a turn ending in this process wakes its local
 * waiters at once.
 */
export class RedisTurn implements Turn {
  state: Turn['state'] = 'pending';
  private currentToken = randomUUID();
  private renewal: NodeJS.Timeout | undefined;
  private readonly deadline: number;

  constructor(
    private readonly queue: TurnQueue,
    private readonly keys: ParticipantKeys,
  ) {
    this.deadline = performance.now() + queue.maxWaitMs;
  }

  get token(): string {
    return this.currentToken;
  }

  get leaseMs(): number {
    return this.queue.leaseMs;
  }

  async take(): Promise<void> {
    if (this.state !== 'pending') return;
    await this.await(await this.queue.call('join', this.keys, this.token));
  }

  joined(first: boolean): Promise<void> {
    return this.await(first ? 1 : 0);
  }

  released(): void {
    this.stopRenewing();
    this.state = 'settled';
    this.queue.wake(this.keys.queue);
  }

  /** Gives the turn back unless a commit did; also a place left waiting (harmless if gone). */
  async end(): Promise<void> {
    this.stopRenewing();
    if (this.state === 'settled') return;
    const held = this.state === 'held';
    this.state = 'settled';
    try {
      await this.queue.call('leave', this.keys, this.token);
    } catch (error) {
      // The work is done (and committed): failing it now would only make the provider
      // resend a message already handled. The lease lapses on its own.
      if (held) this.queue.warn({ code: 'release_failed', cause: error });
    }
    this.queue.wake(this.keys.queue);
  }

  /** From a join's answer (1, 0 or -1), polls until the turn is ours, then holds it. */
  private async await(first: number): Promise<void> {
    let turn = first;
    let pause = FIRST_POLL_MS;
    while (turn !== 1) {
      const left = this.deadline - performance.now();
      if (left <= 0) throw new ParticipantBusyError();
      // Jitter keeps many waiters from polling in step.
      const woken = await this.queue.sleep(
        this.keys.queue,
        Math.min(left, pause * (0.5 + Math.random())),
      );
      pause = woken ? FIRST_POLL_MS : Math.min(pause * 2, LONGEST_POLL_MS);
      if (turn === -1) {
        // Our place was taken away (we stalled past a lease): join again at the back.
        this.currentToken = randomUUID();
        turn = await this.queue.call('join', this.keys, this.token);
      } else {
        turn = await this.queue.call('turn', this.keys, this.token);
      }
    }
    this.state = 'held';
    this.keepLease();
  }

  private keepLease(): void {
    let renewing = false;
    const renewal = setInterval(
      () => {
        if (renewing) return;
        renewing = true;
        this.queue
          .call('renew', this.keys, this.token)
          .then((held) => {
            if (held === 1) return;
            // Someone already took the turn over: renewing can never win it back.
            clearInterval(renewal);
            this.queue.warn({ code: 'lease_lost' });
          })
          .catch((error: unknown) => this.queue.warn({ code: 'lease_renew_failed', cause: error }))
          .finally(() => {
            renewing = false;
          });
      },
      Math.max(1, Math.floor(this.queue.leaseMs / 3)),
    );
    // A lease timer alone must not keep a finished process alive.
    renewal.unref();
    this.renewal = renewal;
  }

  private stopRenewing(): void {
    clearInterval(this.renewal);
    this.renewal = undefined;
  }
}
