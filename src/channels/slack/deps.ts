import type { ConversationService } from '../../conversation/service.js';
import type { Translate } from '../../engine/types.js';
import type { FlowRegistry } from '../../flow/registry.js';
import type { Logger } from '../../logger.js';
import type { RateLimiter } from '../../store/rate-limiter.js';
import type { ParticipantKey, SessionStore } from '../../store/session-store.js';
import type { SlackAlerts } from './alerts.js';
import type { SlackClient } from './client.js';
import type { SlackConfig } from './config.js';

/** What the Slack channel needs from the runtime; all of it is on `Runtime` except the client. */
export interface SlackChannelDeps {
  readonly config: SlackConfig;
  /** From `createSlackClient`. */
  readonly client: SlackClient;
  readonly conversations: ConversationService;
  readonly flows: FlowRegistry;
  /** Read only: the waiting question (so an old button cannot answer a newer one) and the language. */
  readonly store: SessionStore;
  readonly limiter: RateLimiter;
  readonly translate: Translate;
  readonly refOf: (key: ParticipantKey) => string;
  readonly clock: () => Date;
  readonly logger: Logger;
  /** Told when a message is given up; no personal data is passed. */
  readonly alerts?: SlackAlerts | undefined;
  /**
   * Waits before trying a message again when the store was unavailable or busy. Slack has its
   * answer by then and will not resend, so these retries are ours to make.
   */
  readonly retryDelaysMs?: readonly number[] | undefined;
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
}

export function slackParticipant(userId: string): ParticipantKey {
  return { channel: 'slack', address: userId };
}
