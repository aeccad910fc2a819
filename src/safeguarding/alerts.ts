import type { EngineEvent, Session } from '../engine/types.js';
import type { Logger } from '../logger.js';
import type { Channel, ParticipantKey } from '../store/session-store.js';
import type { ConcernCategory } from './matcher.js';

export type ConcernEvent = Extract<EngineEvent, { type: 'concern_raised' }>;

/**
 * What coordinators are told about a concern: which flow, step and kind of concern, and the
 * pseudonymous ref that names the person in response records. Never the message, the address
 * or anything else that identifies them.
 */
export interface ConcernAlert {
  readonly ref: string;
  readonly channel: Channel;
  readonly flowId: string;
  readonly flowVersion: string;
  readonly stepId: string;
  readonly category: ConcernCategory;
  readonly conversation: ConcernEvent['conversation'];
  readonly at: string;
}

/** One way of telling coordinators (the Slack alert channel, a webhook). */
export interface ConcernAlertSink {
  readonly name: string;
  /** May throw or reject: the alerts around it log the failure and carry on. */
  deliver(alert: ConcernAlert): Promise<void>;
}

/** The conversation service's port: tell coordinators of a concern without holding up the reply. */
export interface ConcernAlerts {
  /** Starts every sink at once and returns; never throws. */
  raised(key: ParticipantKey, session: Session, event: ConcernEvent): void;
  /** Settles when every alert started so far has been delivered or has failed (shutdown, tests). */
  settled(): Promise<void>;
}

export interface ConcernAlertOptions {
  readonly sinks: readonly ConcernAlertSink[];
  readonly refOf: (key: ParticipantKey) => string;
  readonly clock: () => Date;
  readonly logger: Logger;
}

/**
 * Alerts run beside the conversation: the person gets the signposting reply at once, and a
 * sink that is down or slow never delays or breaks it. Each alert is also logged, so with no
 * sink set up (or all failing) the concern is still on record.
 */
export function createConcernAlerts(options: ConcernAlertOptions): ConcernAlerts {
  const pending = new Set<Promise<void>>();
  const { logger } = options;
  return {
    raised(key, session, event) {
      const alert: ConcernAlert = {
        ref: options.refOf(key),
        channel: key.channel,
        flowId: session.flowId,
        flowVersion: session.flowVersion,
        stepId: event.stepId,
        category: event.category,
        conversation: event.conversation,
        at: options.clock().toISOString(),
      };
      const { ref, flowId, category, conversation } = alert;
      logger.warn(
        { code: 'concern_raised', ref, flowId, category, conversation },
        'safeguarding concern raised',
      );
      for (const sink of options.sinks) {
        const delivery = sink
          .deliver(alert)
          .catch((error: unknown) =>
            logger.error(
              { code: 'concern_alert_failed', sink: sink.name, ref, flowId, err: codeOf(error) },
              'concern alert not delivered',
            ),
          )
          .finally(() => pending.delete(delivery));
        pending.add(delivery);
      }
    },
    async settled() {
      while (pending.size > 0) await Promise.all(pending);
    },
  };
}

/** The alert as a line for people: the facts and what to do, nothing about the person. */
export function concernAlertText(alert: ConcernAlert): string {
  const now = {
    continues: 'the conversation goes on',
    paused: 'the flow paused its questions',
    ended: 'the conversation had ended',
  }[alert.conversation];
  return (
    `Safeguarding concern (${alert.category.replace('_', ' ')}) in ${alert.flowId} at step ` +
    `${alert.stepId}, respondent ${alert.ref} (${alert.channel}). They were given the help ` +
    `numbers; ${now}. Follow your safeguarding procedure.`
  );
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}
