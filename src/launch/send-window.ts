import { startSession } from '../engine/step.js';
import type { Reply, StartOptions, Translate } from '../engine/types.js';
import type { Flow } from '../flow/flow.js';
import { nextAllowedTime } from '../jobs/quiet-hours.js';
import { renderForSms } from '../render/sms.js';
import { countSegments } from '../render/sms-segments.js';
import type { Channel } from '../store/session-store.js';

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

/**
 * When each invitation would go, one after another from `start` at the rate, each moved out
 * of the flow's quiet hours. The real send times come from the running sender; this is the
 * plan that spreads the jobs and the estimate shown before a launch.
 */
export function planSendTimes(
  start: Date,
  invitations: readonly (readonly number[])[],
  ratePerSecond: number,
  flow: Pick<Flow, 'quietHours' | 'timezone'>,
): number[] {
  const times: number[] = [];
  let at = start.getTime();
  for (const costs of invitations) {
    at = invitationStart(new Date(at), costs, ratePerSecond, flow);
    times.push(at);
    at += spacingMs(totalCost(costs), ratePerSecond);
  }
  return times;
}

export function totalCost(costs: readonly number[]): number {
  return costs.reduce((sum, cost) => sum + cost, 0);
}
