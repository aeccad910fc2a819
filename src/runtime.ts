import { Redis } from 'ioredis';
import type { Config } from './config.js';
import type { OutboundSenders } from './channels/outbound.js';
import { createSlackAlerts, type SlackAlerts } from './channels/slack/alerts.js';
import { createSlackClient, type SlackClient } from './channels/slack/client.js';
import { SlackSender } from './channels/slack/sender.js';
import { createTwilioClient } from './channels/twilio/client.js';
import type { MessageStatusLog } from './channels/twilio/message-status.js';
import { MemoryMessageStatusLog } from './channels/twilio/message-status.js';
import { RedisMessageStatusLog } from './channels/twilio/redis-message-status.js';
import { TwilioSender } from './channels/twilio/sender.js';
import { ConversationService } from './conversation/service.js';
import { createConcernAlerts } from './safeguarding/alerts.js';
import { concernSinks } from './safeguarding/sinks.js';
import { SessionTimers } from './conversation/session-timers.js';
import { loadContent } from './flow/content.js';
import { startFlowUpdates } from './flow/flow-updates.js';
import type { FlowRegistry } from './flow/registry.js';
import type { TextCatalog } from './i18n/catalog.js';
import { createTranslate } from './i18n/translate.js';
import type { Translate } from './engine/types.js';
import { BullJobQueue } from './jobs/bullmq-job-queue.js';
import type { JobEraser, JobQueue, SessionJob } from './jobs/job-queue.js';
import { MemoryJobQueue } from './jobs/memory-job-queue.js';
import type { Logger } from './logger.js';
import { startInvitationSending } from './launch/invitation-sending.js';
import { MemoryParticipantQueue } from './store/memory-participant-queue.js';
import { MemorySessionStore } from './store/memory-session-store.js';
import { participantRef } from './store/participant-ref.js';
import { RedisParticipantQueue } from './store/redis-participant-queue.js';
import { RedisSessionStore } from './store/redis-session-store.js';
import type { ParticipantKey, ParticipantQueue, SessionStore } from './store/session-store.js';
import { MemoryRateLimiter, type RateLimiter } from './store/rate-limiter.js';
import { RedisRateLimiter } from './store/redis-rate-limiter.js';
import { RedisFlowStats, type FlowStats } from './store/flow-stats.js';
import type { ResponseOutbox, ResponseStore } from './responses/response-store.js';
import { RedisResponseOutbox, RedisResponseStore } from './responses/redis-response-store.js';
import { BullDeliveryQueue } from './partners/bullmq-delivery-queue.js';
import type { DeliveryEraser, DeliveryQueue } from './partners/delivery-queue.js';
import type { RetrySchedule } from './partners/delivery-worker.js';
import { MemoryDeliveryQueue } from './partners/memory-delivery-queue.js';
import { MemoryPartnerState } from './partners/memory-partner-state.js';
import {
  checkPartnerSecrets,
  startPartnerDeliveries,
  type PartnerDeliveries,
} from './partners/partner-deliveries.js';
import type { PartnerState } from './partners/partner-state.js';
import { RedisPartnerState } from './partners/redis-partner-state.js';
import {
  memoryPrivacyStores,
  redisPrivacyStores,
  startPrivacy,
  type Privacy,
  type PrivacyStores,
} from './privacy/privacy.js';

/** Every long-lived part of a running carevoice, built in one place from the config. */
export interface Runtime {
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: () => Date;
  readonly flows: FlowRegistry;
  readonly catalog: TextCatalog;
  readonly translate: Translate;
  readonly store: SessionStore;
  readonly conversations: ConversationService;
  /** Stored response records, by flow (written by the store's commit). */
  readonly responses: ResponseStore;
  /** Records waiting to be handed to their partners' deliveries. */
  readonly outbox: ResponseOutbox;
  /** Per-flow counts for status reports. */
  readonly stats: FlowStats;
  /** Partner deliveries: the held ones coordinators act on, and their counts. */
  readonly deliveries: PartnerDeliveries;
  /** Erasure of a person's data, the daily retention purge, and what each flow holds until when. */
  readonly privacy: Privacy;
  readonly limiter: RateLimiter;
  /** Delivery reports of messages sent through Twilio. */
  readonly statusLog: MessageStatusLog;
  /** Present when Slack is set up: the Web API client, and alerts for coordinators. */
  readonly slack: { readonly client: SlackClient; readonly alerts: SlackAlerts } | undefined;
  /** The keyed hash that stands for a participant in keys, job ids and logs. */
  readonly refOf: (key: ParticipantKey) => string;
  /** `embedded` keeps everything in this process; `redis` shares it between processes. */
  readonly mode: 'embedded' | 'redis';
  /** True when this process can take traffic now (Redis reachable). */
  readonly ready: () => Promise<boolean>;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  readonly logger: Logger;
  readonly clock?: () => Date;
  /** The environment, for the partner secrets flow files name (`secret_env`); none when absent. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The partner retry schedule; Svix's three and a half days unless a test shortens it. */
  readonly deliverySchedule?: RetrySchedule;
}

/** How long one Redis command may take before the message is refused with a retryable 503. */
const REDIS_COMMAND_TIMEOUT_MS = 2_000;

interface Backend {
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

/** Loads flows and translations (refusing broken ones) and wires the conversation service. */
export async function createRuntime(config: Config, options: RuntimeOptions): Promise<Runtime> {
  const { logger } = options;
  const clock = options.clock ?? ((): Date => new Date());
  const { flows, catalog } = loadContent(config);
  // Before any connection is opened: in production a partner without its secret stops the start.
  checkPartnerSecrets(config, flows.list(), options.env ?? {}, logger);
  const translate = createTranslate(
    catalog,
    (namespace) => flows.get(namespace)?.languages[0] ?? 'en',
  );
  // Published versions are in service before any message or job looks for the one it pinned.
  const flowUpdates = await startFlowUpdates(config, { flows, catalog, clock, logger });
  const slack = slackParts(config, clock, logger);
  const onJobFailure = (job: SessionJob, error: unknown): void => {
    logger.error(
      { job: job.id, type: job.type, err: describe(error) },
      'job given up after its last attempt',
    );
    void slack?.alerts.postAlert(
      `A ${job.type} job for ${job.flowId} (${job.key.channel}) was given up after its last attempt (${describe(error).code ?? 'error'}).`,
    );
  };
  const backend =
    config.redisUrl === undefined
      ? embedded(clock, onJobFailure, logger)
      : await shared(config, config.redisUrl, clock, onJobFailure, logger);
  const refOf = (key: ParticipantKey): string => participantRef(key, config.pseudonymKey);
  const senders: OutboundSenders = {
    ...outboundSenders(config, backend, refOf, clock, logger),
    ...(slack === undefined
      ? {}
      : {
          slack: new SlackSender({
            client: slack.client,
            store: backend.store,
            translate,
            refOf,
            logger,
          }),
        }),
  };
  const timers = new SessionTimers({ jobs: backend.jobs, senders, refOf, clock });
  const concerns = createConcernAlerts({
    sinks: concernSinks(config, slack?.alerts, backend.deliveryQueue),
    refOf,
    clock,
    logger,
  });
  const conversations = new ConversationService({
    flows,
    store: backend.store,
    queue: backend.queue,
    timers,
    senders,
    translate,
    clock,
    logger,
    refOf,
    concerns,
    signposting: config.safeguarding.contacts,
  });
  backend.jobs.start((job) => conversations.runJob(job));
  const deliveries = startPartnerDeliveries({
    config,
    flows,
    outbox: backend.outbox,
    state: backend.partnerState,
    queue: backend.deliveryQueue,
    secrets: options.env ?? {},
    clock,
    logger,
    alert: slack === undefined ? undefined : (text) => slack.alerts.postAlert(text),
    schedule: options.deliverySchedule,
  });
  // Launch invitations live in Redis; without it there is nothing to send (see src/launch).
  const invitations =
    config.redisUrl === undefined
      ? undefined
      : startInvitationSending(config.redisUrl, {
          config,
          flows,
          translate,
          conversations,
          store: backend.store,
          senders,
          slackClient: slack?.client,
          refOf,
          clock,
          logger,
        });
  const privacy = startPrivacy({
    stores: backend.privacy,
    store: backend.store,
    queue: backend.queue,
    jobs: backend.jobs,
    deliveries: backend.deliveryQueue,
    partners: backend.partnerState,
    statusLog: backend.statusLog,
    limiter: backend.limiter,
    responses: backend.responses,
    flows,
    secret: config.pseudonymKey,
    refOf,
    clock,
    logger,
    scheduleRetention: true,
  });
  logger.info(
    { flows: flows.list().map((flow) => ({ id: flow.id, version: flow.version })) },
    'flows loaded',
  );
  return {
    config,
    logger,
    clock,
    flows,
    catalog,
    translate,
    store: backend.store,
    conversations,
    responses: backend.responses,
    outbox: backend.outbox,
    stats: backend.stats,
    deliveries,
    privacy,
    limiter: backend.limiter,
    statusLog: backend.statusLog,
    slack,
    refOf,
    mode: config.redisUrl === undefined ? 'embedded' : 'redis',
    ready: () => backend.store.ping(),
    close: async () => {
      await concerns.settled();
      await invitations?.close();
      await flowUpdates.close();
      await deliveries.close();
      await privacy.close();
      await backend.close();
    },
  };
}

function slackParts(config: Config, clock: () => Date, logger: Logger): Runtime['slack'] {
  if (config.slack === undefined) return undefined;
  const client = createSlackClient(config.slack, { logger, retries: config.slack.apiRetries });
  const alerts = createSlackAlerts({ client, channel: config.slack.alertChannel, logger, clock });
  return { client, alerts };
}

/** The channels that can reach people unprompted (reminders): SMS and WhatsApp when Twilio is set up. */
function outboundSenders(
  config: Config,
  backend: Backend,
  refOf: (key: ParticipantKey) => string,
  clock: () => Date,
  logger: Logger,
): OutboundSenders {
  if (config.twilio === undefined) return {};
  const twilioSender = new TwilioSender({
    config: config.twilio,
    client: createTwilioClient(config.twilio),
    statusLog: backend.statusLog,
    limiter: backend.limiter,
    outboundLimitPerHour: config.smsOutboundLimitPerHour,
    refOf,
    onOptedOut: (key) => backend.store.setOptedOut(key, true),
    logger,
    clock,
  });
  return { sms: twilioSender, whatsapp: twilioSender };
}

function embedded(
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
async function shared(
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
    logger.warn({ err: describe(error) }, 'redis connection trouble; reconnecting'),
  );
  // Start even if Redis is down: /readyz reports it and the client keeps reconnecting.
  await redis
    .connect()
    .catch((error: unknown) =>
      logger.error({ err: describe(error) }, 'redis unreachable at start'),
    );
  // The outbox's blocking reads hold their connection, so they get one of their own.
  const outboxRedis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
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
    onError: (error) => logger.warn({ err: describe(error) }, 'job queue trouble'),
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
      onError: (error) => logger.warn({ err: describe(error) }, 'delivery queue trouble'),
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
    logger.warn({ delivery: deliveryId, err: describe(error) }, 'delivery attempt to be retried');
}

/** An error for the logs: its code and message, never the data it was about. */
function describe(error: unknown): { code?: string; message: string } {
  if (!(error instanceof Error)) return { message: String(error) };
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? { code, message: error.message } : { message: error.message };
}
