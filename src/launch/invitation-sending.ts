import { Redis } from 'ioredis';
import type { OutboundSenders } from '../channels/outbound.js';
import type { SlackClient } from '../channels/slack/client.js';
import { inviteSlackUsers, type SlackInviteDeps } from '../channels/slack/invite.js';
import { TwilioSender } from '../channels/twilio/sender.js';
import type { Config } from '../config.js';
import { RedisInvitationLedger } from './invitation-ledger.js';
import type { InvitationJob } from './invitation-job.js';
import { BullInvitationQueue } from './invitation-queue.js';
import { InvitationSender, type InvitationSenderDeps } from './invitation-sender.js';
import { RedisSendPacer } from './send-pacer.js';

/** The runtime's parts the sending uses. */
export interface InvitationSendingParts extends Omit<SlackInviteDeps, 'client'> {
  readonly config: Pick<Config, 'redisPrefix' | 'launchRatePerSecond'>;
  readonly senders: OutboundSenders;
  /** Present when Slack is set up. */
  readonly slackClient: SlackClient | undefined;
}

/** Invitations one server process sends at the same time; the pace is shared anyway. */
const CONCURRENCY = 4;

/**
 * The server's side of launches (Redis mode): a worker that takes invitation jobs as they
 * fall due and sends them. Every server process runs one; each job is sent by one of them.
 */
export function startInvitationSending(
  redisUrl: string,
  parts: InvitationSendingParts,
): { close(): Promise<void> } {
  const { logger, config } = parts;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  redis.on('error', (error: Error) =>
    logger.warn({ code: 'redis_unavailable', err: error.message }, 'invitation ledger'),
  );
  const sms = parts.senders.sms;
  const sender = new InvitationSender({
    ...parts,
    ledger: new RedisInvitationLedger(redis, config.redisPrefix),
    pacer: new RedisSendPacer(redis, config.redisPrefix),
    twilio: sms instanceof TwilioSender ? sms : undefined,
    inviteSlack:
      parts.slackClient === undefined
        ? undefined
        : slackInviter({ ...parts, client: parts.slackClient }),
    ratePerSecond: config.launchRatePerSecond,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  });
  const queue = new BullInvitationQueue(redisUrl, `${config.redisPrefix}jobs`);
  queue.start({
    concurrency: CONCURRENCY,
    handle: (job) => sender.handle(job),
    onGivenUp: (job, error) => sender.givenUp(job, error),
    onError: (error) => logger.warn({ err: error.message }, 'invitation queue trouble'),
  });
  return {
    close: async () => {
      await queue.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** Slack invitations go the way `invite-slack` sends them: DM opened, flow started, messages posted. */
export function slackInviter(deps: SlackInviteDeps): InvitationSenderDeps['inviteSlack'] {
  return async (job: InvitationJob) => {
    const [result] = await inviteSlackUsers(deps, job.flowId, [job.key.address], {
      language: job.language,
      variant: job.variant,
      role: job.role,
      params: job.params,
    });
    return result?.status ?? 'failed';
  };
}
