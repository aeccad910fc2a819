import { Writable } from 'node:stream';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveriesCommand, type DeliveriesCommand } from '../src/cli/deliveries.js';
import { DELIVERY_QUEUE_NAME } from '../src/partners/bullmq-delivery-queue.js';
import type { Delivery } from '../src/partners/delivery.js';
import type { HeldDelivery } from '../src/partners/partner-state.js';
import { webhookIdFor } from '../src/partners/payload.js';
import { RedisPartnerState } from '../src/partners/redis-partner-state.js';
import { redisTest } from './helpers/redis-server.js';

const FLOW = 'day-centre-weekends';

function delivery(recordId: string, partnerId: string): Delivery {
  const type = 'response.completed';
  return {
    id: webhookIdFor(type, recordId, partnerId),
    type,
    flowId: FLOW,
    partnerId,
    recordId,
    body: JSON.stringify({ type, data: { id: recordId } }),
  };
}

function holding(d: Delivery, kind: HeldDelivery['kind'], reason: string): HeldDelivery {
  return {
    delivery: d,
    kind,
    reason,
    attempts: kind === 'parked' ? 1 : 11,
    queuedAt: '2026-11-20T10:00:00.000Z',
    lastAttemptAt: '2026-11-23T20:05:00.000Z',
    heldAt: '2026-11-23T20:05:00.000Z',
    holdId: `hold-${d.id}`,
  };
}

describe('carevoice deliveries, replay and partners enable', () => {
  const redisEnv = redisTest();
  let redis: Redis;
  let env: Record<string, string>;
  let prefix: string;
  const dead = delivery('rsp_1', 'council');
  const parked = delivery('rsp_2', 'carers_centre');

  beforeAll(async () => {
    const test = redisEnv();
    prefix = test.prefix;
    env = { REDIS_URL: test.url, REDIS_PREFIX: prefix, NODE_ENV: 'test' };
    redis = new Redis(test.url, { maxRetriesPerRequest: 1 });
    const state = new RedisPartnerState({ redis, prefix });
    await state.hold(holding(dead, 'dead_lettered', 'http_500'));
    await state.hold(holding(parked, 'parked', 'http_410'));
    await state.disable({
      flowId: FLOW,
      partnerId: 'carers_centre',
      reason: 'http_410',
      since: '2026-11-20T10:00:05.000Z',
    });
  });
  afterAll(async () => {
    if (redis === undefined) return;
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  async function run(command: DeliveriesCommand, ...args: string[]) {
    let stdout = '';
    let stderr = '';
    const sink = (append: (text: string) => void) =>
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          append(chunk.toString());
          done();
        },
      });
    const code = await deliveriesCommand(
      command,
      args,
      env,
      sink((t) => (stdout += t)),
      sink((t) => (stderr += t)),
    );
    return { code, stdout, stderr };
  }

  async function jobState(id: string): Promise<string> {
    const queue = new Queue(DELIVERY_QUEUE_NAME, { connection: redis, prefix: `${prefix}jobs` });
    try {
      return await queue.getJobState(id);
    } finally {
      await queue.close();
    }
  }

  it('lists held deliveries with their reason and attempts, and how to enable a disabled partner', async () => {
    const listed = await run('deliveries');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('2 held deliveries');
    expect(listed.stdout).toMatch(
      new RegExp(`${dead.id} +${FLOW} +council +rsp_1 +dead_lettered +http_500 +11`),
    );
    expect(listed.stdout).toContain(
      `partner carers_centre of ${FLOW} is disabled since 2026-11-20T10:00:05.000Z (http_410): carevoice partners enable ${FLOW} carers_centre`,
    );
    const filtered = await run('deliveries', '--partner', 'council', '--json');
    expect(JSON.parse(filtered.stdout)).toMatchObject({
      held: [{ id: dead.id, kind: 'dead_lettered', attempts: 11 }],
      disabledPartners: [],
    });
  });

  it('replays by id, skipping (exit 1) what is not held or whose partner is still disabled', async () => {
    const replayed = await run('replay', dead.id, parked.id, 'msg_unknown');
    expect(replayed.code).toBe(1);
    expect(replayed.stdout).toContain('1 delivery queued again');
    expect(replayed.stdout).toContain(`${parked.id}: its partner is disabled`);
    expect(replayed.stdout).toContain('msg_unknown: not held');
    expect(await jobState(dead.id)).toBe('waiting');
    expect((await run('deliveries', '--partner', 'council')).stdout).toContain('0 held deliveries');
  });

  it('enables a partner and queues what was parked for it', async () => {
    const enabled = await run('partners', 'enable', FLOW, 'carers_centre');
    expect(enabled).toMatchObject({
      code: 0,
      stdout: `partner carers_centre of ${FLOW} enabled; 1 parked delivery queued again\n`,
    });
    expect(await jobState(parked.id)).toBe('waiting');
    expect((await run('deliveries')).stdout).toBe('0 held deliveries\n');
  });

  it('says how to use it when the command line is wrong or there is no Redis', async () => {
    expect(await run('replay')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('replay takes delivery ids, or --all'),
    });
    expect(await run('replay', '--all', 'msg_1')).toMatchObject({ code: 1 });
    expect(await run('deliveries', '--json', '--all')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('--all is not an option here'),
    });
    expect(await run('partners', 'enable', FLOW)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('partners enable <flow> <partner>'),
    });
    env = { NODE_ENV: 'test' };
    expect(await run('deliveries')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('needs REDIS_URL'),
    });
  });
});
