import { startSession } from '../engine/step.js';
import type { Reply, StartOptions, Translate } from '../engine/types.js';
import type { Flow } from '../flow/flow.js';
import { nextAllowedTime } from '../jobs/quiet-hours.js';
import { renderForSms } from '../render/sms.js';
import { countSegments } from '../render/sms-segments.js';
import type { Channel } from '../store/session-store.js';
import { INVITATION_CHANNELS, type InvitationChannel } from './invitation-job.js';
import type { RedisSendPacer } from './send-pacer.js';

/**
 * What one message uses of a sender's rate. Twilio counts an SMS by its segments (a 300-
 * character text is two), so a long SMS costs more than one; WhatsApp and Slack count messages.
 */
export function messageCost(channel: Channel, reply: Reply): number {
  return channel === 'sms' ? countSegments(renderForSms(reply)).segments : 1;
}

/** The messages an invitation opens with: what the flow says first, up to its first question. */
export function openingReplies(
  flow: Flow,
  options: StartOptions,
  translate: Translate,
  now: Date,
): readonly Reply[] {
  return startSession(flow, options, { now, translate }).replies;
}

/** How long a sender must leave after messages of this cost to keep to its rate. */
export function spacingMs(cost: number, ratePerSecond: number): number {
  return Math.ceil((cost * 1000) / ratePerSecond);
}

/**
 * The first instant from `at` at which an invitation of these message costs can be sent
 * whole outside quiet hours: its first and its last message both fall in allowed time.
 */
export function invitationStart(
  at: Date,
  costs: readonly number[],
  ratePerSecond: number,
  flow: Pick<Flow, 'quietHours' | 'timezone'>,
): number {
  const span = costs.slice(0, -1).reduce((sum, cost) => sum + spacingMs(cost, ratePerSecond), 0);
  const allowed = (instant: number): number =>
    nextAllowedTime(new Date(instant), flow.quietHours, flow.timezone).getTime();
  let start = allowed(at.getTime());
  // Quiet hours are hours long and an invitation seconds: two rounds settle it.
  for (let round = 0; round < 3 && allowed(start + span) !== start + span; round++)
    start = allowed(start + span);
  return start;
}

/** An invitation's planned place on its sender: when it starts, and when its last message is out. */
export interface PlannedSend {
  readonly start: number;
  readonly end: number;
}

/**
 * When each invitation would go, one after another on its channel's sender at the rate, from
 * where that sender is free, each moved out of the flow's quiet hours. The real send times
 * come from the running sender; this is the plan that spreads the jobs and the estimate shown
 * before a launch. It holds one time per channel, however many invitations are planned.
 */
export class SendSchedule {
  private constructor(
    private readonly free: Map<InvitationChannel, number>,
    private readonly ratePerSecond: number,
    private readonly flow: Pick<Flow, 'quietHours' | 'timezone'>,
  ) {}

  /** Each sender from `now`, or from its next free slot when a launch already holds it. */
  static async from(
    pacer: Pick<RedisSendPacer, 'nextFree'>,
    now: Date,
    ratePerSecond: number,
    flow: Pick<Flow, 'quietHours' | 'timezone'>,
  ): Promise<SendSchedule> {
    const free = await Promise.all(
      INVITATION_CHANNELS.map(
        async (channel) =>
          [channel, Math.max(now.getTime(), await pacer.nextFree(channel))] as const,
      ),
    );
    return new SendSchedule(new Map(free), ratePerSecond, flow);
  }

  /** Plans an invitation of these message costs after the ones planned before it on `channel`. */
  next(channel: InvitationChannel, costs: readonly number[]): PlannedSend {
    const at = this.free.get(channel) ?? 0;
    const start = invitationStart(new Date(at), costs, this.ratePerSecond, this.flow);
    const end = start + spacingMs(totalCost(costs), this.ratePerSecond);
    this.free.set(channel, end);
    return { start, end };
  }
}

export function totalCost(costs: readonly number[]): number {
  return costs.reduce((sum, cost) => sum + cost, 0);
}
