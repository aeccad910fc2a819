import type { Redis } from 'ioredis';
import { defineLuaCommands, type LuaCommand, type LuaScript } from '../store/redis-lua.js';
import { StoreUnavailableError } from '../store/session-store.js';
import {
  addCount,
  byHeldAt,
  DELIVERY_RESULTS,
  matchesFilter,
  parseDisabled,
  parseHeld,
  partnerKey,
  sortedCounts,
  type DeliveryResult,
  type DisabledPartner,
  type HeldDelivery,
  type HeldFilter,
  type PartnerCounts,
  type PartnerState,
} from './partner-state.js';

/**
 * Partner state in Redis, shared by every process. Keys:
 *
 * | key                                   | type | holds                                                  |
 * |---------------------------------------|------|--------------------------------------------------------|
 * | `${prefix}partners:{deliveries}:disabled` | hash | `<flow>/<partner>` → JSON `DisabledPartner`          |
 * | `${prefix}partners:{deliveries}:held`     | hash | delivery id → JSON `HeldDelivery`                     |
 * | `${prefix}partners:{deliveries}:counts`   | hash | `<flow>/<partner>/<result>` → count                   |
 *
 * None expires: a held delivery waits for a coordinator. The shared `{deliveries}` hash tag
 * keeps them in one cluster slot, so a holding and its count move in one script.
 */
export interface RedisPartnerStateOptions {
  /** The caller's client (shared, fail-fast); never closed here. */
  readonly redis: Redis;
  /** Key prefix, e.g. `cv:`; no braces (they would change the cluster slot). */
  readonly prefix: string;
}

const SCRIPTS = {
  /** KEYS: held, counts. ARGV: delivery id, held JSON, counts field. */
  hold: {
    name: 'carevoiceHoldDelivery',
    keys: 2,
    readOnly: false,
    lua: `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HINCRBY', KEYS[2], ARGV[3], 1)
return 1
`,
  },
  /** KEYS: held. ARGV: delivery id, hold id. */
  release: {
    name: 'carevoiceReleaseDelivery',
    keys: 1,
    readOnly: false,
    lua: `
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if not stored then return 0 end
local ok, held = pcall(cjson.decode, stored)
if ok and type(held) == 'table' and held.holdId ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
return 1
`,
  },
} satisfies Record<string, LuaScript>;

export class RedisPartnerState implements PartnerState {
  private readonly redis: Redis;
  private readonly keys: { disabled: string; held: string; counts: string };
  private readonly scripts: Record<keyof typeof SCRIPTS, LuaCommand>;

  constructor(options: RedisPartnerStateOptions) {
    if (/[{}]/.test(options.prefix))
      throw new RangeError('the Redis key prefix must not contain braces');
    const base = `${options.prefix}partners:{deliveries}:`;
    this.redis = options.redis;
    this.keys = { disabled: `${base}disabled`, held: `${base}held`, counts: `${base}counts` };
    this.scripts = defineLuaCommands(options.redis, SCRIPTS);
  }

  async isDisabled(flowId: string, partnerId: string): Promise<boolean> {
    const found = await this.run('reading a partner state', () =>
      this.redis.hexists(this.keys.disabled, partnerKey(flowId, partnerId)),
    );
    return found === 1;
  }

  async disable(partner: DisabledPartner): Promise<void> {
    await this.run('disabling a partner', () =>
      this.redis.hsetnx(
        this.keys.disabled,
        partnerKey(partner.flowId, partner.partnerId),
        JSON.stringify(partner),
      ),
    );
  }

  async enable(flowId: string, partnerId: string): Promise<boolean> {
    const removed = await this.run('enabling a partner', () =>
      this.redis.hdel(this.keys.disabled, partnerKey(flowId, partnerId)),
    );
    return removed === 1;
  }

  async disabledPartners(): Promise<DisabledPartner[]> {
    const stored = await this.run('listing disabled partners', () =>
      this.redis.hvals(this.keys.disabled),
    );
    return stored
      .flatMap((json) => parseDisabled(json) ?? [])
      .sort((a, b) => a.since.localeCompare(b.since));
  }

  async hold(held: HeldDelivery): Promise<void> {
    const { delivery } = held;
    await this.run('holding a delivery', () =>
      this.scripts.hold(
        this.keys.held,
        this.keys.counts,
        delivery.id,
        JSON.stringify(held),
        `${partnerKey(delivery.flowId, delivery.partnerId)}/${held.kind}`,
      ),
    );
  }

  async held(filter?: HeldFilter): Promise<HeldDelivery[]> {
    const stored = await this.run('listing held deliveries', () =>
      this.redis.hvals(this.keys.held),
    );
    return stored
      .flatMap((json) => parseHeld(json) ?? [])
      .filter((held) => matchesFilter(held, filter))
      .sort(byHeldAt);
  }

  async release(deliveryId: string, holdId: string): Promise<boolean> {
    const released = await this.run('releasing a delivery', () =>
      this.scripts.release(this.keys.held, deliveryId, holdId),
    );
    return Number(released) === 1;
  }

  async count(flowId: string, partnerId: string, result: 'delivered' | 'retried'): Promise<void> {
    await this.run('counting a delivery', () =>
      this.redis.hincrby(this.keys.counts, `${partnerKey(flowId, partnerId)}/${result}`, 1),
    );
  }

  async counts(): Promise<PartnerCounts[]> {
    const stored = await this.run('reading delivery counts', () =>
      this.redis.hgetall(this.keys.counts),
    );
    const table = new Map<string, PartnerCounts>();
    for (const [field, value] of Object.entries(stored)) {
      const [flowId, partnerId, result] = field.split('/');
      if (flowId === undefined || partnerId === undefined || !isResult(result)) continue;
      addCount(table, flowId, partnerId, result, Math.max(0, Number(value) || 0));
    }
    return sortedCounts(table);
  }

  private async run<T>(what: string, command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw new StoreUnavailableError(`${what} failed`, { cause: error });
    }
  }
}

function isResult(value: string | undefined): value is DeliveryResult {
  return DELIVERY_RESULTS.some((result) => result === value);
}
