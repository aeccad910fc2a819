import type { InviteStatus } from '../channels/slack/invite.js';
import type { SendReport } from '../channels/twilio/sender.js';
import type { ConversationService } from '../conversation/service.js';
import type { Reply, Translate } from '../engine/types.js';
import type { Flow } from '../flow/flow.js';
import type { Logger } from '../logger.js';
import type { ParticipantKey, SessionStore } from '../store/session-store.js';
import type { InviteOutcome, InviteState, RedisInvitationLedger } from './invitation-ledger.js';
import type { InvitationJob } from './invitation-job.js';
import type { InvitationResult } from './invitation-queue.js';
import { optOutKeys } from './person.js';
import type { RedisSendPacer } from './send-pacer.js';
import {
  invitationStart,
  messageCost,
  openingReplies,
  spacingMs,
  totalCost,
} from './send-window.js';

export interface InvitationSenderDeps {
  readonly flows: { get(id: string): Flow | undefined };
  readonly translate: Translate;
  readonly conversations: Pick<ConversationService, 'start'>;
  readonly store: Pick<SessionStore, 'isOptedOut' | 'load'>;
  readonly ledger: Pick<RedisInvitationLedger, 'state' | 'move'>;
  readonly pacer: Pick<RedisSendPacer, 'claim'>;
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

/** Slots are taken at most this far ahead, and waited for in hand. */
const SLOT_HORIZON_MS = 10_000;

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
    // A job run again after its invitation was handled (or while it is) ends here, before it takes a slot.
    const state = await deps.ledger.state(job.flowId, job.ref);
    if (state !== 'queued' && state !== 'retry') return this.alreadyHandled(job, state);
    const now = deps.clock();
    const options = {
      language: job.language,
      variant: job.variant,
      role: job.role,
      params: job.params,
    };
    const costs = openingReplies(flow, options, deps.translate, now).map((reply) =>
      messageCost(job.key.channel, reply),
    );
    const allowed = invitationStart(now, costs, deps.ratePerSecond, flow);
    if (allowed > now.getTime()) return { type: 'wait', until: allowed };
    const claim = await deps.pacer.claim(
      job.key.channel,
      now.getTime(),
      spacingMs(totalCost(costs), deps.ratePerSecond),
      SLOT_HORIZON_MS,
    );
    if (!claim.granted) return { type: 'wait', until: claim.retryAt };
    const start = invitationStart(new Date(claim.slot), costs, deps.ratePerSecond, flow);
    // Its messages would reach into quiet hours: the slot goes unused; back when they end.
    if (start > claim.slot) return { type: 'wait', until: start };
    return this.send(job, flow, options, costs, claim.slot);
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
    slot: number,
  ): Promise<InvitationResult> {
    const { deps } = this;
    const taken = await deps.ledger.move(job.flowId, job.ref, ['queued', 'retry'], 'sending');
    if (taken !== 'moved') return this.alreadyHandled(job, taken);
    const optedOut = await Promise.all(
      optOutKeys(job.key).map((key) => deps.store.isOptedOut(key)),
    );
    if (optedOut.some(Boolean)) return this.finish(job, 'skipped', 'opted_out');
    if (await this.busyElsewhere(job, flow)) return this.finish(job, 'skipped', 'in_conversation');
    if (job.key.channel === 'slack') {
      if (deps.inviteSlack === undefined) return this.finish(job, 'failed', 'slack_not_set_up');
      await this.waitUntil(slot);
      const status = await deps.inviteSlack(job);
      return this.finish(job, SLACK_OUTCOMES[status], status);
    }
    if (deps.twilio === undefined) return this.finish(job, 'failed', 'twilio_not_set_up');
    const { replies } = await deps.conversations.start(job.key, job.flowId, options);
    let sent = 0;
    let at = slot;
    for (const [index, reply] of replies.entries()) {
      // Each message at its own time in the slot, so the next slot's holder is not crowded.
      await this.waitUntil(at);
      at += spacingMs(costs[index] ?? 1, deps.ratePerSecond);
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
   * `sending`: an earlier run stopped mid-send (the process died); the invitation may have
   * gone, so it is not sent again. Anything else: it is done, or was never recorded.
   */
  private alreadyHandled(job: InvitationJob, state: InviteState | 'missing'): InvitationResult {
    if (state === 'sending' || state === 'missing') this.log(job, state, `invitation_${state}`);
    return { type: 'done' };
  }

  private async waitUntil(at: number): Promise<void> {
    const wait = at - this.deps.clock().getTime();
    if (wait > 0) await this.deps.sleep(wait);
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
