import { Redis } from 'ioredis';
import type { Config } from './config.js';
import type { MessageStatusLog } from './channels/twilio/message-status.js';
import { MemoryMessageStatusLog } from './channels/twilio/message-status.js';
import { RedisMessageStatusLog } from './channels/twilio/redis-message-status.js';
import { BullJobQueue } from './jobs/bullmq-job-queue.js';
import type { JobEraser, JobQueue, SessionJob } from './jobs/job-queue.js';
import { MemoryJobQueue } from './jobs/memory-job-queue.js';
import { errorFields, type Logger } from './logger.js';
import { MemoryParticipantQueue } from './store/memory-participant-queue.js';
import { MemorySessionStore } from './store/memory-session-store.js';
import { RedisParticipantQueue } from './store/redis-participant-queue.js';
import { RedisSessionStore } from './store/redis-session-store.js';
import type { ParticipantQueue, SessionStore } from './store/session-store.js';
import { MemoryRateLimiter, type RateLimiter } from './store/rate-limiter.js';
import { RedisRateLimiter } from './store/redis-rate-limiter.js';
import { RedisFlowStats, type FlowStats } from './store/flow-stats.js';
import type { ResponseOutbox, ResponseStore } from './responses/response-store.js';
import { RedisResponseOutbox, RedisResponseStore } from './responses/redis-response-store.js';
import { BullDeliveryQueue } from './partners/bullmq-delivery-queue.js';
import type { DeliveryEraser, DeliveryQueue } from './partners/delivery-queue.js';
import { MemoryDeliveryQueue } from './partners/memory-delivery-queue.js';
import { MemoryPartnerState } from './partners/memory-partner-state.js';
import type { PartnerState } from './partners/partner-state.js';
import { RedisPartnerState } from './partners/redis-partner-state.js';
import { memoryPrivacyStores, redisPrivacyStores, type PrivacyStores } from './privacy/privacy.js';

/** How long one Redis command may take before the message is refused with a retryable 503. */
const REDIS_COMMAND_TIMEOUT_MS = 2_000;

/** Where a runtime keeps its state: in this process (embedded) or in Redis (shared). */
export interface Backend {
  readonly store: SessionStore;
  readonly responses: ResponseStore;
  readonly outbox: ResponseOutbox;
  readonly stats: FlowStats;
  readonly queue: ParticipantQueue;
  readonly jobs: JobQueue & JobEraser;
  readonly limiter: RateLimiter;
  readonly statusLog: MessageStatusLog;
  readonly partnerState: PartnerState;
  readonly deliveryQueue: DeliveryQueue & DeliveryEraser;
  readonly privacy: PrivacyStores;
  close(): Promise<void>;
}

/** Everything in this process: lost on restart. */
export function embedded(
  clock: () => Date,
  onFailure: (job: SessionJob, error: unknown) => void,
  logger: Logger,
): Backend {
  logger.warn(
    { mode: 'embedded' },
    'no REDIS_URL: conversations are kept in memory and lost on restart (fine for trying carevoice, not for a consultation)',
  );
  const limiter = new MemoryRateLimiter(clock);
  const store = new MemorySessionStore(clock, { limiter });
  const queue = new MemoryParticipantQueue();
  const jobs = new MemoryJobQueue({ onFailure });
  return {
    store,
    responses: store.responses,
    outbox: store.responses,
    stats: store.stats,
    queue,
    jobs,
    limiter,
    statusLog: new MemoryMessageStatusLog(clock),
    partnerState: new MemoryPartnerState(),
    deliveryQueue: new MemoryDeliveryQueue({ onHandlerError: deliveryTrouble(logger) }),
    privacy: memoryPrivacyStores(store.responses),
    close: async () => {
      await jobs.close();
      store.responses.close();
      await queue.close();
      await store.close();
    },
  };
}

/**
 * Redis for sessions (a fail-fast client: a webhook is better refused with 503, so the
 * provider retries, than left hanging) and BullMQ for timed jobs (its own patient clients).
 */
export async function shared(
  config: Config,
  url: string,
  clock: () => Date,
  onFailure: (job: SessionJob, error: unknown) => void,
  logger: Logger,
): Promise<Backend> {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: 5_000,
    // Commands of concurrent messages leave in one write: fewer syscalls per message.
    enableAutoPipelining: true,
  });
  redis.on('error', (error: Error) =>
    logger.warn({ err: errorFields(error) }, 'redis connection trouble; reconnecting'),
  );
  // Start even if Redis is down: /readyz reports it and the client keeps reconnecting.
  await redis
    .connect()
    .catch((error: unknown) =>
      logger.error({ err: errorFields(error) }, 'redis unreachable at start'),
    );
  // The outbox's blocking reads hold their connection, so they get one of their own.
  const outboxRedis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  // Its trouble surfaces as failed reads, which the relay logs (`relay_failed`); the main
  // client already logs the connection itself, so this would only say it again.
  outboxRedis.on('error', () => undefined);
  const secret = config.pseudonymKey;
  const store = new RedisSessionStore({ redis, prefix: config.redisPrefix, secret });
  const queue = new RedisParticipantQueue({
    redis,
    prefix: config.redisPrefix,
    secret,
    warn: (warning) => logger.warn({ code: warning.code }, 'participant queue'),
  });
  const jobs = new BullJobQueue({
    connection: { url },
    prefix: `${config.redisPrefix}jobs`,
    queueName: 'sessions',
    concurrency: 10,
    onFailure,
    onError: (error) => logger.warn({ err: errorFields(error) }, 'job queue trouble'),
  });
  logger.info({ mode: 'redis', prefix: config.redisPrefix }, 'conversations are kept in Redis');
  return {
    store,
    responses: new RedisResponseStore(redis, config.redisPrefix),
    outbox: new RedisResponseOutbox(outboxRedis, config.redisPrefix),
    stats: new RedisFlowStats(redis, config.redisPrefix),
    queue,
    jobs,
    limiter: new RedisRateLimiter(redis, config.redisPrefix),
    statusLog: new RedisMessageStatusLog({ redis, prefix: config.redisPrefix, clock }),
    partnerState: new RedisPartnerState({ redis, prefix: config.redisPrefix }),
    deliveryQueue: new BullDeliveryQueue({
      connection: { url },
      prefix: `${config.redisPrefix}jobs`,
      concurrency: 10,
      onError: (error) => logger.warn({ err: errorFields(error) }, 'delivery queue trouble'),
      onHandlerError: deliveryTrouble(logger),
    }),
    privacy: redisPrivacyStores({ redis, url, prefix: config.redisPrefix, secret }),
    close: async () => {
      await jobs.close();
      await queue.close();
      await store.close();
      outboxRedis.disconnect();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** A delivery attempt whose outcome could not be recorded; it is made again later. */
function deliveryTrouble(logger: Logger): (deliveryId: string, error: unknown) => void {
  return (deliveryId, error) =>
    logger.warn(
      { delivery: deliveryId, err: errorFields(error) },
      'delivery attempt to be retried',
    );
}
