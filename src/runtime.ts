import type { Config } from './config.js';
import type { OutboundSenders } from './channels/outbound.js';
import { createSlackAlerts, type SlackAlerts } from './channels/slack/alerts.js';
import { createSlackClient, type SlackClient } from './channels/slack/client.js';
import { SlackSender } from './channels/slack/sender.js';
import { createTwilioClient } from './channels/twilio/client.js';
import type { MessageStatusLog } from './channels/twilio/message-status.js';
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
import type { SessionJob } from './jobs/job-queue.js';
import { errorFields, type Logger } from './logger.js';
import { startInvitationSending } from './launch/invitation-sending.js';
import { participantRef } from './store/participant-ref.js';
import type { ParticipantKey, SessionStore } from './store/session-store.js';
import type { RateLimiter } from './store/rate-limiter.js';
import type { FlowStats } from './store/flow-stats.js';
import type { ResponseOutbox, ResponseStore } from './responses/response-store.js';
import type { RetrySchedule } from './partners/delivery-worker.js';
import {
  checkPartnerSecrets,
  startPartnerDeliveries,
  type PartnerDeliveries,
} from './partners/partner-deliveries.js';
import { startPrivacy, type Privacy } from './privacy/privacy.js';
import { embedded, shared, type Backend } from './runtime-backends.js';

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
      { job: job.id, type: job.type, err: errorFields(error) },
      'job given up after its last attempt',
    );
    void slack?.alerts.postAlert(
      `A ${job.type} job for ${job.flowId} (${job.key.channel}) was given up after its last attempt (${errorFields(error).code ?? 'error'}).`,
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
