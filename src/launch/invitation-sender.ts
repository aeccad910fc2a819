import type { InviteStatus } from '../channels/slack/invite.js';
import type { SendReport } from '../channels/twilio/sender.js';
import type { ConversationService } from '../conversation/service.js';
import type { Reply, Translate } from '../engine/types.js';
import type { Flow } from '../flow/flow.js';
import { nextAllowedTime } from '../jobs/quiet-hours.js';
import type { Logger } from '../logger.js';
import type { ParticipantKey, SessionStore } from '../store/session-store.js';
import type { InviteOutcome, InviteState, RedisInvitationLedger } from './invitation-ledger.js';
import type { InvitationJob } from './invitation-job.js';
import type { InvitationResult } from './invitation-queue.js';
import { optOutKeys } from './person.js';
import type { RedisSendPacer } from './send-pacer.js';
import { messageCost, openingReplies, spacingMs } from './send-window.js';

export interface InvitationSenderDeps {
  readonly flows: { get(id: string): Flow | undefined };
  readonly translate: Translate;
  readonly conversations: Pick<ConversationService, 'start'>;
  readonly store: Pick<SessionStore, 'isOptedOut' | 'load'>;
  readonly ledger: Pick<RedisInvitationLedger, 'move'>;
  readonly pacer: Pick<RedisSendPacer, 'claim' | 'release'>;
  /** Present when Twilio is set up: sends SMS and WhatsApp and says what went. */
  readonly twilio:
    | {
        deliver(
          key: ParticipantKey,
          replies: readonly Reply[],
          context: { flowId: string },
        ): Promise<SendReport>;
      }
    | undefined;
  /** Present when Slack is set up: opens the DM, starts the flow and posts its first messages. */
  readonly inviteSlack: ((job: InvitationJob) => Promise<InviteStatus>) | undefined;
  /** Messages (SMS segments) a second per sender: `LAUNCH_RATE_PER_SECOND`. */
  readonly ratePerSecond: number;
  readonly clock: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  readonly logger: Logger;
}

/** Nothing was sent and trying later may work: the job is retried with backoff. */
export class InvitationRetryError extends Error {
  readonly code = 'invitation_retry';
  constructor(readonly reason: string) {
    super(`the invitation was not sent (${reason}); it will be tried again`);
    this.name = 'InvitationRetryError';
  }
}

const SLACK_OUTCOMES: Readonly<Record<InviteStatus, InviteOutcome>> = {
  invited: 'delivered',
  already_active: 'skipped',
  opted_out: 'skipped',
  not_delivered: 'failed',
  not_found: 'failed',
  unreachable: 'failed',
  invalid: 'failed',
  failed: 'failed',
};

/**
 * Sends one invitation when its job runs: only outside the flow's quiet hours, only at its
 * slot of the sender's pace, only once (the ledger moves it to `sending` first: a job run
 * twice finds it taken), and never to someone who has opted out or is in the middle of
 * another conversation. The flow is opened with `ConversationService.start`, so the reply
 * to the invitation continues it. The messages of one invitation are spaced at the rate too.
 */
export class InvitationSender {
  constructor(private readonly deps: InvitationSenderDeps) {}

  async handle(job: InvitationJob): Promise<InvitationResult> {
    const { deps } = this;
    const flow = deps.flows.get(job.flowId);
    if (flow === undefined)
      return this.finish(job, 'failed', 'flow_not_found', ['queued', 'retry']);
    const now = deps.clock();
    const allowed = nextAllowedTime(now, flow.quietHours, flow.timezone);
    if (allowed > now) return { type: 'wait', until: allowed.getTime() };
    const options = {
      language: job.language,
      variant: job.variant,
      role: job.role,
      params: job.params,
    };
    const costs = openingReplies(flow, options, deps.translate, now).map((reply) =>
      messageCost(job.key.channel, reply),
    );
    const total = costs.reduce((sum, cost) => sum + cost, 0);
    const sender = job.key.channel;
    const slot = await deps.pacer.claim(
      sender,
      job.id,
      now.getTime(),
      spacingMs(total, deps.ratePerSecond),
    );
    const slotAllowed = nextAllowedTime(new Date(slot), flow.quietHours, flow.timezone).getTime();
    if (slotAllowed > slot) {
      // The slot fell in quiet hours: give it up and come back when they end.
      await deps.pacer.release(sender, job.id);
      return { type: 'wait', until: slotAllowed };
    }
    if (slot > now.getTime()) return { type: 'wait', until: slot };
    try {
      return await this.send(job, flow, options, costs);
    } finally {
      await deps.pacer.release(sender, job.id);
    }
  }

  /** The job failed its last attempt: nothing was sent. */
  async givenUp(job: InvitationJob, error: Error): Promise<void> {
    await this.deps.ledger.move(job.flowId, job.ref, ['retry', 'queued'], 'failed');
    this.log(job, 'failed', (error as { code?: string }).code ?? 'error');
  }

  private async send(
    job: InvitationJob,
    flow: Flow,
    options: Parameters<ConversationService['start']>[2],
    costs: readonly number[],
  ): Promise<InvitationResult> {
    const { deps } = this;
    const taken = await deps.ledger.move(job.flowId, job.ref, ['queued', 'retry'], 'sending');
    if (taken !== 'moved') {
      // `sending`: an earlier run stopped mid-send (the process died); it may have gone, so
      // it is not sent again. Anything else: already done.
      if (taken === 'sending') this.log(job, 'sending', 'invitation_interrupted');
      return { type: 'done' };
    }
    const optedOut = await Promise.all(
      optOutKeys(job.key).map((key) => deps.store.isOptedOut(key)),
    );
    if (optedOut.some(Boolean)) return this.finish(job, 'skipped', 'opted_out');
    if (await this.busyElsewhere(job, flow)) return this.finish(job, 'skipped', 'in_conversation');
    if (job.key.channel === 'slack') {
      if (deps.inviteSlack === undefined) return this.finish(job, 'failed', 'slack_not_set_up');
      const status = await deps.inviteSlack(job);
      return this.finish(job, SLACK_OUTCOMES[status], status);
    }
    if (deps.twilio === undefined) return this.finish(job, 'failed', 'twilio_not_set_up');
    const { replies } = await deps.conversations.start(job.key, job.flowId, options);
    let sent = 0;
    for (const [index, reply] of replies.entries()) {
      if (index > 0) await deps.sleep(spacingMs(costs[index - 1] ?? 1, deps.ratePerSecond));
      const report = await deps.twilio.deliver(job.key, [reply], { flowId: job.flowId });
      if (report.sent === 0) {
        if (sent > 0) break;
        const { failure } = report;
        if (failure?.retryable === true) {
          await deps.ledger.move(job.flowId, job.ref, ['sending'], 'retry');
          throw new InvitationRetryError(failure.code);
        }
        return this.finish(job, 'failed', failure?.code ?? report.stopped ?? 'not_sent');
      }
      sent++;
    }
    // A partly sent invitation still reached the person: the flow's reminder asks again.
    return this.finish(job, 'delivered', sent < replies.length ? 'partly_sent' : 'sent');
  }

  /**
   * In a conversation that has not ended, which an invitation would replace. A session of
   * this flow with no answer yet is not in the way: it is this invitation's own, from an
   * attempt that could not send, or one the person started without answering.
   */
  private async busyElsewhere(job: InvitationJob, flow: Flow): Promise<boolean> {
    const session = await this.deps.store.load(job.key);
    if (session?.status !== 'active') return false;
    if (Date.parse(session.expiresAt) <= this.deps.clock().getTime()) return false;
    return session.flowId !== flow.id || Object.keys(session.answers).length > 0;
  }

  private async finish(
    job: InvitationJob,
    outcome: InviteOutcome,
    code: string,
    from: readonly InviteState[] = ['sending'],
  ): Promise<InvitationResult> {
    await this.deps.ledger.move(job.flowId, job.ref, from, outcome);
    this.log(job, outcome, code);
    return { type: 'done' };
  }

  private log(job: InvitationJob, outcome: string, code: string): void {
    const fields = {
      ref: job.ref,
      flowId: job.flowId,
      launchId: job.launchId,
      channel: job.key.channel,
      outcome,
      code,
    };
    if (outcome === 'delivered' || outcome === 'skipped')
      this.deps.logger.info(fields, 'invitation');
    else this.deps.logger.warn(fields, 'invitation not sent');
  }
}
