import { randomBytes } from 'node:crypto';
import type { Logger } from '../logger.js';
import type { Delivery, PartnerClient, PartnerTarget } from './delivery.js';
import type { AttemptDecision, DeliveryAttempt, DeliveryHandler } from './delivery-queue.js';
import type { HeldDelivery, HoldKind, PartnerState } from './partner-state.js';
import { nextAttemptDelayMs } from './retry-schedule.js';

/** The wait before the next attempt after `attemptsMade`, or `undefined` when the schedule is used up. */
export type RetrySchedule = (
  attemptsMade: number,
  random: () => number,
  retryAfterMs?: number,
) => number | undefined;

/** Where a flow's partner takes deliveries now; `undefined` when it cannot from here (no secret, say). */
export type TargetLookup = (flowId: string, partnerId: string) => PartnerTarget | undefined;

export interface DeliveryWorkerOptions {
  readonly client: PartnerClient;
  readonly targets: TargetLookup;
  readonly state: PartnerState;
  readonly clock: () => Date;
  readonly logger: Logger;
  /** Svix's schedule with jitter by default; tests pass a short one. */
  readonly schedule?: RetrySchedule;
  readonly random?: () => number;
  /** Told of every delivery held for a coordinator (for an alert); must not throw. */
  readonly onHeld?: (held: HeldDelivery) => void;
}

/**
 * The one place that decides what an attempt's outcome means: delivered; retry on the
 * schedule (a partner's `Retry-After` honoured); dead-lettered when the schedule is used up;
 * parked when the partner is disabled (410) or cannot be reached from here (no secret).
 * Logs carry delivery, flow and partner ids and the reason, never the body.
 */
export function createDeliveryHandler(options: DeliveryWorkerOptions): DeliveryHandler {
  const { client, targets, state, clock, logger } = options;
  const schedule = options.schedule ?? nextAttemptDelayMs;
  const random = options.random ?? Math.random;

  const hold = async (
    job: DeliveryAttempt,
    kind: HoldKind,
    reason: string,
    attempts: number,
  ): Promise<AttemptDecision> => {
    const now = clock().toISOString();
    const held: HeldDelivery = {
      delivery: job.delivery,
      kind,
      reason,
      attempts,
      queuedAt: new Date(job.queuedAt).toISOString(),
      lastAttemptAt: attempts > 0 ? now : null,
      heldAt: now,
      holdId: randomBytes(8).toString('hex'),
    };
    await state.hold(held);
    logger.warn(
      { ...ids(job.delivery), code: `delivery_${kind}`, reason, attempts },
      kind === 'parked'
        ? 'partner delivery parked until the partner is enabled or set up'
        : 'partner delivery dead-lettered after its last attempt',
    );
    options.onHeld?.(held);
    return { next: 'finished' };
  };

  // A lost count is better than a delivery attempted again because counting failed.
  const count = (delivery: Delivery, result: 'delivered' | 'retried'): Promise<void> =>
    state.count(delivery.flowId, delivery.partnerId, result).catch(() => undefined);

  return async (job) => {
    const { delivery, attempt } = job;
    // Attempts before this one; a parked delivery has made none of its own.
    const made = attempt - 1;
    if (await state.isDisabled(delivery.flowId, delivery.partnerId)) {
      return hold(job, 'parked', 'partner_disabled', made);
    }
    const target = targets(delivery.flowId, delivery.partnerId);
    if (target === undefined) return hold(job, 'parked', 'partner_not_configured', made);

    const outcome = await client.send(target, delivery, attempt);
    switch (outcome.result) {
      case 'delivered':
        await count(delivery, 'delivered');
        logger.info({ ...ids(delivery), attempt }, 'partner delivery delivered');
        return { next: 'finished' };
      case 'gone':
        await state.disable({
          flowId: delivery.flowId,
          partnerId: delivery.partnerId,
          reason: 'http_410',
          since: clock().toISOString(),
        });
        logger.error(
          { ...ids(delivery), code: 'partner_disabled' },
          'partner answered 410 Gone: disabled until a coordinator enables it',
        );
        return hold(job, 'parked', 'http_410', attempt);
      case 'retry': {
        const delayMs = schedule(attempt, random, outcome.retryAfterMs);
        if (delayMs === undefined) return hold(job, 'dead_lettered', outcome.reason, attempt);
        await count(delivery, 'retried');
        return { next: 'retry', delayMs };
      }
    }
  };
}

function ids(delivery: Delivery): { delivery: string; flow: string; partner: string } {
  return { delivery: delivery.id, flow: delivery.flowId, partner: delivery.partnerId };
}
