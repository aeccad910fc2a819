import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Delivery } from '../src/partners/delivery.js';
import { MemoryPartnerState } from '../src/partners/memory-partner-state.js';
import type { HeldDelivery, PartnerState } from '../src/partners/partner-state.js';
import { RedisPartnerState } from '../src/partners/redis-partner-state.js';
import { redisTest } from './helpers/redis-server.js';

function held(
  recordId: string,
  partnerId: string,
  overrides: Partial<HeldDelivery> = {},
): HeldDelivery {
  const delivery: Delivery = {
    id: `msg_${recordId}_${partnerId}`,
    type: 'response.completed',
    flowId: 'weekends',
    partnerId,
    recordId,
    body: '{"type":"response.completed","data":{"id":"' + recordId + '"}}',
  };
  return {
    delivery,
    kind: 'dead_lettered',
    reason: 'http_500',
    attempts: 11,
    queuedAt: '2026-11-20T10:00:00.000Z',
    lastAttemptAt: '2026-11-23T20:00:00.000Z',
    heldAt: '2026-11-23T20:00:00.000Z',
    holdId: `h_${recordId}`,
    ...overrides,
  };
}

/** What every PartnerState must do, run against the memory and the Redis implementation. */
function contract(make: () => PartnerState): void {
  it('holds deliveries with their bodies, oldest holding first, filtered by flow, partner and kind', async () => {
    const state = make();
    const late = held('r2', 'council', { heldAt: '2026-11-24T08:00:00.000Z' });
    const early = held('r1', 'council');
    const parked = held('r3', 'carers', { kind: 'parked', reason: 'http_410', attempts: 1 });
    for (const h of [late, early, parked]) await state.hold(h);
    expect(await state.held()).toEqual([early, parked, late]);
    expect(await state.held({ partnerId: 'council' })).toEqual([early, late]);
    expect(await state.held({ kind: 'parked' })).toEqual([parked]);
    expect(await state.held({ flowId: 'other' })).toEqual([]);
  });

  it('releases a holding only while it is the same holding', async () => {
    const state = make();
    const first = held('r1', 'council');
    await state.hold(first);
    const again = { ...first, holdId: 'h_again', heldAt: '2026-11-25T08:00:00.000Z' };
    await state.hold(again);
    expect(await state.release(first.delivery.id, first.holdId)).toBe(false);
    expect(await state.held()).toEqual([again]);
    expect(await state.release(again.delivery.id, again.holdId)).toBe(true);
    expect(await state.release(again.delivery.id, again.holdId)).toBe(false);
    expect(await state.held()).toEqual([]);
  });

  it('keeps the first reason of a disabled partner until it is enabled', async () => {
    const state = make();
    const first = { flowId: 'weekends', partnerId: 'council', reason: 'http_410', since: 'a' };
    await state.disable(first);
    await state.disable({ ...first, since: 'b' });
    expect(await state.isDisabled('weekends', 'council')).toBe(true);
    expect(await state.isDisabled('weekends', 'carers')).toBe(false);
    expect(await state.disabledPartners()).toEqual([first]);
    expect(await state.enable('weekends', 'council')).toBe(true);
    expect(await state.enable('weekends', 'council')).toBe(false);
    expect(await state.isDisabled('weekends', 'council')).toBe(false);
  });

  it('counts results per flow and partner, holdings included', async () => {
    const state = make();
    await state.count('weekends', 'council', 'delivered');
    await state.count('weekends', 'council', 'retried');
    await state.count('weekends', 'council', 'retried');
    await state.hold(held('r1', 'council'));
    await state.hold(held('r2', 'carers', { kind: 'parked' }));
    expect(await state.counts()).toEqual([
      {
        flowId: 'weekends',
        partnerId: 'carers',
        counts: { delivered: 0, retried: 0, dead_lettered: 0, parked: 1 },
      },
      {
        flowId: 'weekends',
        partnerId: 'council',
        counts: { delivered: 1, retried: 2, dead_lettered: 1, parked: 0 },
      },
    ]);
  });
}

describe('MemoryPartnerState', () => {
  contract(() => new MemoryPartnerState());
});

describe('RedisPartnerState', () => {
  const redisEnv = redisTest();
  let redis: Redis;
  const prefixes: string[] = [];

  beforeAll(() => {
    redis = new Redis(redisEnv().url, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    if (redis === undefined) return;
    for (const prefix of prefixes) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
    }
    await redis.quit();
  });

  contract(() => {
    const { prefix } = redisEnv();
    prefixes.push(prefix);
    return new RedisPartnerState({ redis, prefix });
  });

  it('skips a stored holding it cannot read rather than failing the listing', async () => {
    const { prefix } = redisEnv();
    prefixes.push(prefix);
    const state = new RedisPartnerState({ redis, prefix });
    await state.hold(held('r1', 'council'));
    await redis.hset(`${prefix}partners:{deliveries}:held`, 'msg_broken', '{"not":"a holding"');
    expect((await state.held()).map((h) => h.delivery.id)).toEqual(['msg_r1_council']);
  });
});
