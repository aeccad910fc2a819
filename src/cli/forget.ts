import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import type { Redis } from 'ioredis';
import { RedisMessageStatusLog } from '../channels/twilio/redis-message-status.js';
import type { Config } from '../config.js';
import { loadContent } from '../flow/content.js';
import { BullJobQueue } from '../jobs/bullmq-job-queue.js';
import { createLogger } from '../logger.js';
import { BullDeliveryQueue } from '../partners/bullmq-delivery-queue.js';
import { RedisPartnerState } from '../partners/redis-partner-state.js';
import { ERASABLE_CHANNELS, readErasureSubject } from '../privacy/erasure-subject.js';
import { redisPrivacyStores, startPrivacy } from '../privacy/privacy.js';
import type { Tombstone } from '../privacy/tombstones.js';
import { RedisResponseStore } from '../responses/redis-response-store.js';
import { participantRef } from '../store/participant-ref.js';
import { RedisParticipantQueue } from '../store/redis-participant-queue.js';
import { RedisRateLimiter } from '../store/redis-rate-limiter.js';
import { RedisSessionStore } from '../store/redis-session-store.js';
import type { ParticipantKey } from '../store/session-store.js';
import { withCommandRedis } from './command-redis.js';

/** BullMQ's names for the queues, as the server (runtime.ts) names them. */
const JOBS_QUEUE = 'sessions';

/**
 * `carevoice forget <address>`: the same erasure as `DELETE /api/participants`, run against
 * REDIS_URL by a coordinator's command. It starts no workers: it removes, tells partners
 * through the delivery queue (the server sends the notices) and writes the tombstone.
 */
export async function forget(
  args: readonly string[],
  config: Config,
  out: Writable,
  err: Writable,
): Promise<number> {
  const refuse = (message: string): number => {
    err.write(`carevoice forget: ${message}\n`);
    return 1;
  };
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { channel: { type: 'string' }, json: { type: 'boolean' } },
  });
  const [address, ...extra] = positionals;
  if (address === undefined || extra.length > 0)
    return refuse('name one person, e.g. carevoice forget +447700900123');
  const channel = ERASABLE_CHANNELS.find((known) => known === values.channel);
  if (values.channel !== undefined && channel === undefined)
    return refuse(`--channel takes ${ERASABLE_CHANNELS.join(', ')}, not '${values.channel}'`);
  const subject = readErasureSubject(address, channel);
  if (!subject.ok) return refuse(subject.reason);
  const url = config.redisUrl;
  if (url === undefined)
    return refuse(
      'REDIS_URL is not set: a server without it keeps everything in its own memory, so erase there with DELETE /api/participants',
    );
  const tombstone = await withCommandRedis<Tombstone | string>(
    url,
    (reason) => `${reason}; nothing was erased`,
    (redis) => eraseInRedis(redis, config, url, subject.keys, err),
  );
  if (typeof tombstone === 'string') return refuse(tombstone);
  out.write(values.json === true ? `${JSON.stringify(tombstone)}\n` : describe(tombstone));
  return 0;
}

/** The erasure with this command's own connections (the caller's Redis among them). */
async function eraseInRedis(
  redis: Redis,
  config: Config,
  url: string,
  keys: readonly ParticipantKey[],
  err: Writable,
): Promise<Tombstone> {
  const logger = createLogger(config.logLevel, err);
  const { redisPrefix: prefix, pseudonymKey: secret } = config;
  const onError = (error: Error): void =>
    logger.warn({ err: error.message }, 'queue trouble during erasure');
  const jobs = new BullJobQueue({
    connection: { url },
    prefix: `${prefix}jobs`,
    queueName: JOBS_QUEUE,
    concurrency: 1,
    onFailure: () => undefined,
    onError,
  });
  const deliveries = new BullDeliveryQueue({
    connection: { url },
    prefix: `${prefix}jobs`,
    concurrency: 1,
    onError,
  });
  const queue = new RedisParticipantQueue({ redis, prefix, secret });
  const privacy = startPrivacy({
    stores: redisPrivacyStores({ redis, url, prefix, secret }),
    store: new RedisSessionStore({ redis, prefix, secret }),
    queue,
    jobs,
    deliveries,
    partners: new RedisPartnerState({ redis, prefix }),
    statusLog: new RedisMessageStatusLog({ redis, prefix, clock: () => new Date() }),
    limiter: new RedisRateLimiter(redis, prefix),
    responses: new RedisResponseStore(redis, prefix),
    flows: loadContent(config).flows,
    secret,
    refOf: (key) => participantRef(key, secret),
    clock: () => new Date(),
    logger,
    scheduleRetention: false,
  });
  try {
    return await privacy.erasure.forget(keys, 'cli');
  } finally {
    await privacy.close();
    await Promise.all([jobs.close(), deliveries.close(), queue.close()]);
  }
}

function describe(tombstone: Tombstone): string {
  const { counts } = tombstone;
  const lines = [
    `erased (tombstone ${tombstone.id}, ${tombstone.at}) on ${tombstone.channels.join(' and ')}:`,
    `  ${counts.sessions} conversations, ${counts.records} responses, ${counts.jobs} jobs, ${counts.invitations} invitations`,
    `  ${counts.deliveries} partner deliveries withdrawn, ${counts.heldDeliveries} held deliveries dropped`,
    `  ${counts.notices} erasure notices queued for partners (the server sends them)`,
    ...(tombstone.suppressionKept
      ? ['  the person had sent STOP: the opt-out is kept, so nobody can text them again']
      : []),
    ...(tombstone.stillRunning > 0
      ? [
          `  ${tombstone.stillRunning} jobs or deliveries were running and could not be removed: see docs/data-protection.md`,
        ]
      : []),
  ];
  return `${lines.join('\n')}\n`;
}
