import type { ChainableCommander, Redis } from 'ioredis';
import { flowStatsKey } from '../store/flow-stats.js';
import { escapeGlob, scanKeys } from '../privacy/redis-scan.js';
import { defineLuaCommands, type LuaCommand } from '../store/redis-lua.js';

/**
 * Where an invitation is. `queued` on launch; `sending` while a sender holds it; `retry` when
 * the provider could not take it and nothing was sent; then one of the three outcomes.
 */
export type InviteState = 'queued' | 'sending' | 'retry' | 'delivered' | 'failed' | 'skipped';
export type InviteOutcome = Extract<InviteState, 'delivered' | 'failed' | 'skipped'>;

/** Where a person stands for a new invitation to a flow. */
export type Standing =
  | { readonly kind: 'new' }
  | { readonly kind: 'invited'; readonly state: InviteState; readonly launchId: string }
  | { readonly kind: 'contacted'; readonly at: number; readonly flowId: string };

/** How long a contact is remembered: longer than any contact cap may be set. */
export const CONTACT_MEMORY_MS = 400 * 86_400_000;

/**
 * KEYS: the flow's invitations, the person's last contact, the flow's counters.
 * ARGV: ref, launch id, now (ms), cap (ms, 0 = none), flow id, contact memory (ms).
 * Checks and records in one step, so two launches (of this flow or another) running at once
 * can never both invite one person.
 */
const RECORD_LUA = `
local invited = redis.call('HGET', KEYS[1], ARGV[1])
if invited then return {'invited', invited} end
local contact = redis.call('GET', KEYS[2])
if contact and tonumber(ARGV[4]) > 0 then
  local at = tonumber(string.match(contact, '^(%d+)'))
  if at and tonumber(ARGV[3]) - at < tonumber(ARGV[4]) then return {'contacted', contact} end
end
redis.call('HSET', KEYS[1], ARGV[1], 'queued:' .. ARGV[2])
redis.call('SET', KEYS[2], ARGV[3] .. ' ' .. ARGV[5], 'PX', ARGV[6])
redis.call('HINCRBY', KEYS[3], 'invited', 1)
return {'new'}`;

/**
 * KEYS: the flow's invitations, the flow's counters. ARGV: ref, new state, allowed current
 * states (comma-separated), counter to increment ('' = none).
 * Moves an invitation on only from a state it may leave; returns the state it found.
 */
const MOVE_LUA = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return '' end
local state, launch = string.match(current, '^(%a+):(.*)$')
for allowed in string.gmatch(ARGV[3], '[^,]+') do
  if allowed == state then
    redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. launch)
    if ARGV[4] ~= '' then redis.call('HINCRBY', KEYS[2], ARGV[4], 1) end
    return 'moved'
  end
end
return state`;

const SCRIPTS = {
  record: { name: 'carevoiceRecordInvitation', keys: 3, lua: RECORD_LUA, readOnly: false },
  move: { name: 'carevoiceMoveInvitation', keys: 2, lua: MOVE_LUA, readOnly: false },
} as const;

/**
 * Who was invited to each flow and when each person was last contacted, by person ref (a
 * keyed hash, never an address). Kept in Redis:
 *
 * | key                          | type   | holds                                        | expiry                 |
 * |------------------------------|--------|----------------------------------------------|------------------------|
 * | `${prefix}f:${flow}:invites` | hash   | ref → `<state>:<launch id>`                  | none: kept with the flow |
 * | `${prefix}contact:{${ref}}`  | string | `<ms> <flow id>` of the last invitation      | `CONTACT_MEMORY_MS`    |
 *
 * Recording an invitation also counts it (`invited`), and each outcome is counted as it is
 * reached (`delivered`, `failed`, `skipped`) in the flow's counters, in the same script.
 */
export class RedisInvitationLedger {
  private readonly scripts: Record<keyof typeof SCRIPTS, LuaCommand>;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    this.scripts = defineLuaCommands(redis, SCRIPTS);
  }

  /** Where each person stands, read in one round trip; nothing is written. */
  async standing(
    flowId: string,
    refs: readonly string[],
    now: number,
    capMs: number,
  ): Promise<Standing[]> {
    if (refs.length === 0) return [];
    const pipeline = this.redis.pipeline();
    pipeline.hmget(this.invitesKey(flowId), ...refs);
    refs.forEach((ref) => pipeline.get(this.contactKey(ref)));
    const replies = (await pipeline.exec()) ?? [];
    const failed = replies.find(([error]) => error !== null);
    if (failed?.[0] != null) throw failed[0];
    const invited = (replies[0]?.[1] ?? []) as (string | null)[];
    return refs.map((_, index) =>
      toStanding(invited[index] ?? null, replies[index + 1]?.[1] as string | null, now, capMs),
    );
  }

  /** Records a new invitation unless the person was invited to this flow or contacted within the cap. */
  async record(
    flowId: string,
    ref: string,
    launchId: string,
    now: number,
    capMs: number,
  ): Promise<Standing> {
    const [standing] = await this.recordAll(flowId, [ref], launchId, now, capMs);
    return standing ?? { kind: 'new' };
  }

  /**
   * `record` for each person, in one round trip: each check and record is its own atomic
   * step, so another launch running at once can take any person, never both invite one.
   * Returns where each person stood: `new` for those recorded now.
   */
  async recordAll(
    flowId: string,
    refs: readonly string[],
    launchId: string,
    now: number,
    capMs: number,
  ): Promise<Standing[]> {
    if (refs.length === 0) return [];
    const pipeline = this.redis.pipeline();
    const record = pipelined(pipeline, SCRIPTS.record.name);
    for (const ref of refs)
      record(
        this.invitesKey(flowId),
        this.contactKey(ref),
        flowStatsKey(this.prefix, flowId),
        ref,
        launchId,
        now,
        capMs,
        flowId,
        CONTACT_MEMORY_MS,
      );
    const replies = (await pipeline.exec()) ?? [];
    return replies.map(([error, reply]) => {
      if (error !== null) throw error;
      const [outcome, stored = null] = reply as [string, string?];
      if (outcome === 'invited') return toStanding(stored, null, now, capMs);
      if (outcome === 'contacted') return toStanding(null, stored, now, capMs);
      return { kind: 'new' };
    });
  }

  /** Where one invitation is, or `missing` when it was never recorded. */
  async state(flowId: string, ref: string): Promise<InviteState | 'missing'> {
    const stored = await this.redis.hget(this.invitesKey(flowId), ref);
    return stored === null ? 'missing' : (stored.split(':')[0] as InviteState);
  }

  /**
   * Moves an invitation to `to` if it is in one of `from`, counting `to` when it is an
   * outcome. Returns `moved`, or the state it was found in (`missing` when never recorded).
   */
  async move(
    flowId: string,
    ref: string,
    from: readonly InviteState[],
    to: InviteState,
  ): Promise<'moved' | InviteState | 'missing'> {
    const counted = to === 'delivered' || to === 'failed' || to === 'skipped' ? to : '';
    const reply = String(
      await this.scripts.move(
        this.invitesKey(flowId),
        flowStatsKey(this.prefix, flowId),
        ref,
        to,
        from.join(','),
        counted,
      ),
    );
    if (reply === '') return 'missing';
    return reply as 'moved' | InviteState;
  }

  /**
   * Erasure: the person's entry in every flow's invitations and their last contact. The
   * flows' lists are found by a SCAN (flows no longer loaded included); returns the entries
   * removed.
   */
  async forget(ref: string): Promise<number> {
    let removed = 0;
    for await (const keys of scanKeys(this.redis, `${escapeGlob(`${this.prefix}f:`)}*:invites`)) {
      const unlisting = this.redis.pipeline();
      for (const key of keys) unlisting.hdel(key, ref);
      for (const [, count] of (await unlisting.exec()) ?? []) removed += Number(count) || 0;
    }
    await this.redis.del(this.contactKey(ref));
    return removed;
  }

  private invitesKey(flowId: string): string {
    return `${this.prefix}f:${flowId}:invites`;
  }

  private contactKey(ref: string): string {
    return `${this.prefix}contact:{${ref}}`;
  }
}

/** A script `defineLuaCommands` registered, queued on a pipeline rather than sent alone. */
function pipelined(
  pipeline: ChainableCommander,
  name: string,
): (...args: (string | number)[]) => void {
  const method: unknown = Reflect.get(pipeline, name);
  if (typeof method !== 'function') throw new Error(`ioredis did not define ${name}`);
  return (...args) => void method.apply(pipeline, args);
}

function toStanding(
  invited: string | null,
  contact: string | null,
  now: number,
  capMs: number,
): Standing {
  if (invited !== null) {
    const [state = 'queued', launchId = ''] = invited.split(/:(.*)/s);
    return { kind: 'invited', state: state as InviteState, launchId };
  }
  if (contact !== null && capMs > 0) {
    const [at, flowId = ''] = contact.split(' ');
    if (now - Number(at) < capMs) return { kind: 'contacted', at: Number(at), flowId };
  }
  return { kind: 'new' };
}
