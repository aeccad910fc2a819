import type { TwilioChannel } from './addresses.js';

/**
 * The statuses of an outbound message, in the order they can happen, and each one's rank.
 * Status callbacks arrive out of order (`sent` after `delivered` is common), so a status is
 * applied only when it outranks the one stored: the log holds the furthest point a message
 * reached, never the last callback. Outcomes share a rank, so the first one to arrive stays;
 * `read` (WhatsApp) outranks them all, being proof that the message arrived.
 * https://www.twilio.com/docs/messaging/guides/outbound-message-status-in-status-callbacks
 */
export const STATUS_RANK = {
  scheduled: 0,
  accepted: 1,
  queued: 2,
  sending: 3,
  sent: 4,
  delivered: 5,
  undelivered: 5,
  failed: 5,
  partially_delivered: 5,
  canceled: 5,
  read: 6,
} as const satisfies Record<string, number>;

export type MessageStatus = keyof typeof STATUS_RANK;

/**
 * What the counters count: Twilio's statuses, and `rejected` for messages Twilio refused
 * outright (no message was created, so there is no status to follow).
 */
export type CountedStatus = MessageStatus | 'rejected';

export const COUNTED_STATUSES: readonly CountedStatus[] = [
  ...(Object.keys(STATUS_RANK) as MessageStatus[]),
  'rejected',
];

/** The statuses a coordinator needs to hear about. */
export type FailureStatus = 'undelivered' | 'failed' | 'rejected';

export function isMessageStatus(value: string): value is MessageStatus {
  return Object.hasOwn(STATUS_RANK, value);
}

export function isFailureStatus(status: CountedStatus): status is FailureStatus {
  return status === 'undelivered' || status === 'failed' || status === 'rejected';
}

/** A Twilio message SID (SM… for SMS and WhatsApp, MM… for MMS). */
export const MESSAGE_SID = /^(SM|MM)[0-9a-fA-F]{32}$/;

/** Who a message went to, without their number: the participant ref stands in for it. */
export interface SentMessage {
  readonly ref: string;
  readonly channel: TwilioChannel;
  readonly flowId?: string | undefined;
  /** The status `messages.create` answered with: `queued`, or `accepted` via a Messaging Service. */
  readonly status?: MessageStatus | undefined;
}

export interface FailureEntry {
  /** Undefined for a message Twilio refused, which never got one. */
  readonly sid: string | undefined;
  /** Undefined when the failure arrived before the message was recorded as sent. */
  readonly ref: string | undefined;
  readonly channel: TwilioChannel | undefined;
  readonly flowId: string | undefined;
  readonly status: FailureStatus;
  readonly errorCode: number | undefined;
  readonly at: string;
}

export type StatusCounts = Readonly<Record<CountedStatus, number>>;

/**
 * What became of each outbound message, for metrics and for coordinators. It never holds a
 * phone number or message text: only the participant ref, the channel and the flow.
 */
export interface MessageStatusLog {
  /** Twilio accepted a message. Safe to call after a callback for it already arrived. */
  recordSent(sid: string, message: SentMessage): Promise<void>;
  /** Twilio refused a message outright (e.g. 21211 invalid number, 21610 unsubscribed). */
  recordRejected(message: SentMessage, errorCode: number | undefined): Promise<void>;
  /** A status callback: `applied` when it moved the message on, `ignored` when it was stale. */
  updateStatus(
    sid: string,
    status: MessageStatus,
    errorCode?: number,
  ): Promise<'applied' | 'ignored'>;
  /**
   * Messages by their current status (every status, zeros included), kept as counters that
   * move when a message's status changes. Messages forgotten after `STATUS_TTL_MS` stay counted.
   */
  counts(): Promise<StatusCounts>;
  /** The latest undelivered, failed and rejected messages, newest first. */
  recentFailures(limit: number): Promise<FailureEntry[]>;
  /**
   * Erasure: removes the participant ref from every message and failure that carries it.
   * Statuses and counts stay (they say nothing about who), so the figures still add up.
   */
  forget(ref: string): Promise<void>;
}

/** How long a message's status is kept: long past any late callback, short of a forever. */
export const STATUS_TTL_MS = 30 * 86_400_000;
/** Failures kept for `recentFailures`. */
export const FAILURES_KEPT = 200;

export type MessageStatusErrorCode = 'message_sid_invalid';

export class MessageStatusError extends Error {
  constructor(
    readonly code: MessageStatusErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MessageStatusError';
  }
}

/** SIDs become part of Redis keys: only well-formed ones are accepted. */
export function checkSid(sid: string): void {
  if (!MESSAGE_SID.test(sid))
    throw new MessageStatusError('message_sid_invalid', 'not a Twilio message SID');
}

export function zeroCounts(): Record<CountedStatus, number> {
  return Object.fromEntries(COUNTED_STATUSES.map((status) => [status, 0])) as Record<
    CountedStatus,
    number
  >;
}

/** The failure entry for a message Twilio refused outright: it has no SID and no status to follow. */
export function rejectedEntry(
  message: SentMessage,
  errorCode: number | undefined,
  at: Date,
): FailureEntry {
  return {
    sid: undefined,
    ref: message.ref,
    channel: message.channel,
    flowId: message.flowId,
    status: 'rejected',
    errorCode,
    at: at.toISOString(),
  };
}

interface StoredMessage {
  ref?: string;
  channel?: TwilioChannel;
  flowId?: string;
  status?: MessageStatus;
  errorCode?: number;
  updatedAt: number;
}

/** In this process only: the embedded mode and tests. */
export class MemoryMessageStatusLog implements MessageStatusLog {
  private readonly messages = new Map<string, StoredMessage>();
  private readonly counters = zeroCounts();
  private failures: FailureEntry[] = [];

  constructor(private readonly clock: () => Date) {}

  async recordSent(sid: string, message: SentMessage): Promise<void> {
    checkSid(sid);
    const stored = this.stored(sid);
    stored.ref = message.ref;
    stored.channel = message.channel;
    if (message.flowId !== undefined) stored.flowId = message.flowId;
    this.transition(sid, stored, message.status ?? 'queued', undefined);
  }

  async recordRejected(message: SentMessage, errorCode: number | undefined): Promise<void> {
    this.counters.rejected++;
    this.remember(rejectedEntry(message, errorCode, this.clock()));
  }

  async updateStatus(
    sid: string,
    status: MessageStatus,
    errorCode?: number,
  ): Promise<'applied' | 'ignored'> {
    checkSid(sid);
    return this.transition(sid, this.stored(sid), status, errorCode);
  }

  async counts(): Promise<StatusCounts> {
    return { ...this.counters };
  }

  async recentFailures(limit: number): Promise<FailureEntry[]> {
    return this.failures.slice(0, Math.max(0, limit));
  }

  async forget(ref: string): Promise<void> {
    for (const stored of this.messages.values()) if (stored.ref === ref) delete stored.ref;
    this.failures = this.failures.map((entry) =>
      entry.ref === ref ? { ...entry, ref: undefined } : entry,
    );
  }

  private transition(
    sid: string,
    stored: StoredMessage,
    status: MessageStatus,
    errorCode: number | undefined,
  ): 'applied' | 'ignored' {
    const now = this.clock();
    if (stored.status !== undefined && STATUS_RANK[status] <= STATUS_RANK[stored.status])
      return 'ignored';
    if (stored.status !== undefined) this.counters[stored.status]--;
    this.counters[status]++;
    stored.status = status;
    stored.updatedAt = now.getTime();
    if (errorCode !== undefined) stored.errorCode = errorCode;
    if (isFailureStatus(status)) {
      this.remember({
        sid,
        ref: stored.ref,
        channel: stored.channel,
        flowId: stored.flowId,
        status,
        errorCode: stored.errorCode,
        at: now.toISOString(),
      });
    }
    return 'applied';
  }

  private stored(sid: string): StoredMessage {
    let stored = this.messages.get(sid);
    if (stored === undefined) {
      this.prune();
      stored = { updatedAt: this.clock().getTime() };
      this.messages.set(sid, stored);
    }
    return stored;
  }

  private remember(entry: FailureEntry): void {
    this.failures = [entry, ...this.failures].slice(0, FAILURES_KEPT);
  }

  /** Forgets messages past their time now and then, as Redis expiry would. */
  private prune(): void {
    if (this.messages.size < 10_000) return;
    const cutoff = this.clock().getTime() - STATUS_TTL_MS;
    for (const [sid, stored] of this.messages)
      if (stored.updatedAt < cutoff) this.messages.delete(sid);
  }
}
