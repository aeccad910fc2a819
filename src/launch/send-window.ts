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
 * When each invitation would go, one after another from `start` at the rate, each moved out
 * of the flow's quiet hours. The real send times come from the running sender; this is the
 * plan that spreads the jobs and the estimate shown before a launch.
 */
export function planSendTimes(
  start: Date,
  costs: readonly number[],
  ratePerSecond: number,
  flow: Pick<Flow, 'quietHours' | 'timezone'>,
): number[] {
  const times: number[] = [];
  let at = start.getTime();
  for (const cost of costs) {
    at = nextAllowedTime(new Date(at), flow.quietHours, flow.timezone).getTime();
    times.push(at);
    at += spacingMs(cost, ratePerSecond);
  }
  return times;
}
