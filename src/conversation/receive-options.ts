import type { SessionStatus } from '../engine/types.js';

/** A rate-limit window of a participant (see RateLimiter): `key` is their ref. */
export interface RateWindow {
  readonly name: string;
  readonly key: string;
  readonly windowMs: number;
}

/** What a channel asks of `receive` besides handling the message, folded into its round trips. */
export interface ReceiveOptions {
  /** Counts the message as it is opened; past `limit` it is not handled (`Outcome.flooded`). */
  readonly inbound?: (RateWindow & { readonly limit: number }) | undefined;
  /** Counts the replies of the message's commit (`Outcome.sent`). */
  readonly outbound?: RateWindow | undefined;
  /**
   * Takes the "message handled" fields instead of a log line of their own, e.g. to join the
   * request's line: one line a message.
   */
  readonly report?: ((fields: HandledFields) => void) | undefined;
}

/** What is logged of a handled message: pseudonymous, no text. */
export interface HandledFields {
  readonly channel: string;
  readonly flowId: string;
  readonly status: SessionStatus;
  readonly revision: number;
  readonly events: readonly string[];
}
