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
import type { JobQueue, SessionJob } from './jobs/job-queue.js';
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
}

/** How long one Redis command may take before the message is refused with a retryable 503. */
const REDIS_COMMAND_TIMEOUT_MS = 2_000;

interface Backend {
  readonly store: SessionStore;
  readonly queue: ParticipantQueue;
  readonly jobs: JobQueue;
  readonly limiter: RateLimiter;
  readonly statusLog: MessageStatusLog;
  close(): Promise<void>;
}

/** Loads flows and translations (refusing broken ones) and wires the conversation service. */
export async function createRuntime(config: Config, options: RuntimeOptions): Promise<Runtime> {
  const { logger } = options;
  const clock = options.clock ?? ((): Date => new Date());
  const { flows, catalog } = loadContent(config);
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
    sinks: concernSinks(config, slack?.alerts, { logger, clock }),
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
    concerns,
    signposting: config.safeguarding.contacts,
  });
  backend.jobs.start((job) => conversations.runJob(job));
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
  const store = new MemorySessionStore(clock);
  const queue = new MemoryParticipantQueue();
  const jobs = new MemoryJobQueue({ onFailure });
  return {
    store,
    queue,
    jobs,
    limiter: new MemoryRateLimiter(clock),
    statusLog: new MemoryMessageStatusLog(clock),
    close: async () => {
      await jobs.close();
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
    queue,
    jobs,
    limiter: new RedisRateLimiter(redis, config.redisPrefix),
    statusLog: new RedisMessageStatusLog({ redis, prefix: config.redisPrefix, clock }),
    close: async () => {
      await jobs.close();
      await queue.close();
      await store.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** An error for the logs: its code and message, never the data it was about. */
function describe(error: unknown): { code?: string; message: string } {
  if (!(error instanceof Error)) return { message: String(error) };
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? { code, message: error.message } : { message: error.message };
}
