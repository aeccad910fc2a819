import { z } from 'zod';
import type { TwilioConfig } from '../../config.js';
import type { Reply } from '../../engine/types.js';
import type { Logger } from '../../logger.js';
import { renderForSms } from '../../render/sms.js';
import type { RateLimiter } from '../../store/rate-limiter.js';
import { StoreUnavailableError, type ParticipantKey } from '../../store/session-store.js';
import type { OutboundSender } from '../outbound.js';
import {
  isTwilioChannel,
  senderFor,
  toTwilioAddress,
  TwilioAddressError,
  type TwilioChannel,
} from './addresses.js';
import { captureResponseHeaders, type TwilioClient } from './client.js';
import { twilioErrorRule } from './error-codes.js';
import { isMessageStatus, MESSAGE_SID, type MessageStatusLog } from './message-status.js';
import { classifyFailure, type SendFailure } from './send-failure.js';

/** Attempts per message, the first included: 1 s, 2 s and 4 s apart (before jitter). */
const MAX_ATTEMPTS = 4;
const FIRST_BACKOFF_MS = 1_000;
/**
 * A longer Retry-After is not waited out: the send holds the participant's turn. The message
 * is reported as retryable instead, and when nothing was sent the caller's job tries later.
 */
const LONGEST_RETRY_AFTER_MS = 10_000;
const OUTBOUND_WINDOW_MS = 3_600_000;

export interface TwilioSenderOptions {
  readonly config: TwilioConfig;
  /** From `createTwilioClient`: the library's own retries must be off. */
  readonly client: TwilioClient;
  readonly statusLog: MessageStatusLog;
  readonly limiter: RateLimiter;
  /** Messages an hour to one person (`SMS_OUTBOUND_LIMIT`), a stop for reply loops. */
  readonly outboundLimitPerHour: number;
  readonly refOf: (key: ParticipantKey) => string;
  /** Twilio said the person has unsubscribed (21610): record the opt-out. */
  readonly onOptedOut: (key: ParticipantKey) => Promise<void>;
  readonly logger: Logger;
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
  /** In [0, 1), for backoff jitter. */
  readonly random?: (() => number) | undefined;
  /** For Retry-After given as a date. */
  readonly clock?: (() => Date) | undefined;
}

/** What a `deliver` did: replies are sent in order, and the first problem stops the rest. */
export interface SendReport {
  /** Messages Twilio accepted. */
  readonly sent: number;
  /** Replies not sent: the failed one and every one after it. */
  readonly skipped: number;
  readonly stopped?: 'capped' | 'opted_out' | 'failed' | undefined;
  readonly failure?: SendFailure | undefined;
}

/**
 * Thrown by `send` only when nothing was sent and trying again later may work: a job retry
 * then cannot send anything twice. The message names no person and quotes nothing from Twilio
 * (its error texts can contain the phone number).
 */
export class TwilioSendError extends Error {
  readonly code = 'twilio_send_failed';
  readonly reason: SendFailure['code'];
  readonly twilioCode: number | undefined;
  readonly httpStatus: number | undefined;

  constructor(failure: SendFailure) {
    const detail = failure.twilioCode === undefined ? '' : `, Twilio error ${failure.twilioCode}`;
    super(`Twilio did not take the message (${failure.code}${detail}); nothing was sent`);
    this.name = 'TwilioSendError';
    this.reason = failure.code;
    this.twilioCode = failure.twilioCode;
    this.httpStatus = failure.httpStatus;
  }
}

const createdSchema = z.object({ sid: z.string().regex(MESSAGE_SID), status: z.string() });

/**
 * Sends replies as SMS or WhatsApp messages through Twilio's REST API.
 *
 * Failures never make a sent message go out twice. `send` resolves once it has logged them,
 * and throws only when NOTHING was sent and the failure was retryable (Twilio busy, down or
 * unreachable; its queue full; the outbound-limit store unavailable): the job queue's retry
 * then resends exactly what was never sent. A partial send is final: retrying the job would
 * repeat the replies that did go out.
 */
export class TwilioSender implements OutboundSender {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly clock: () => Date;

  constructor(private readonly options: TwilioSenderOptions) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.clock = options.clock ?? ((): Date => new Date());
  }

  async send(
    key: ParticipantKey,
    replies: readonly Reply[],
    context: { readonly flowId?: string | undefined } = {},
  ): Promise<void> {
    const report = await this.deliver(key, replies, context);
    const { failure } = report;
    if (report.sent > 0 || failure === undefined || !failure.retryable) return;
    if (failure.code === 'store_unavailable')
      throw new StoreUnavailableError('outbound limit check failed');
    throw new TwilioSendError(failure);
  }

  /** Like `send`, but never throws for a send that failed: it reports what happened. */
  async deliver(
    key: ParticipantKey,
    replies: readonly Reply[],
    context: { readonly flowId?: string | undefined } = {},
  ): Promise<SendReport> {
    const { config, limiter, logger } = this.options;
    if (!isTwilioChannel(key.channel)) {
      throw new TwilioAddressError(
        'channel_not_twilio',
        `the ${key.channel} channel is not sent through Twilio`,
      );
    }
    const channel: TwilioChannel = key.channel;
    const to = toTwilioAddress(key);
    const origin = senderFor(config, channel);
    const ref = this.options.refOf(key);
    const about = { ref, channel, flowId: context.flowId };
    let sent = 0;
    for (const [index, reply] of replies.entries()) {
      const stop = (stopped: SendReport['stopped'], failure?: SendFailure): SendReport => ({
        sent,
        skipped: replies.length - index,
        stopped,
        failure,
      });
      let count: number;
      try {
        ({ count } = await limiter.hit('sms-out', ref, OUTBOUND_WINDOW_MS));
      } catch {
        logger.warn({ code: 'store_unavailable', ...about }, 'outbound limit unavailable');
        return stop('failed', { code: 'store_unavailable', retryable: true });
      }
      if (count > this.options.outboundLimitPerHour) {
        logger.warn(
          { code: 'outbound_capped', ...about, limit: this.options.outboundLimitPerHour },
          'outbound messages capped for this person this hour; the rest are not sent',
        );
        return stop('capped');
      }
      const result = await this.create({
        to,
        ...origin,
        body: renderForSms(reply),
        statusCallback: `${config.publicUrl}/twilio/status`,
      });
      if (!result.ok) {
        await this.failed(key, about, result.failure, result.attempts);
        const optedOut = twilioErrorRule(result.failure.twilioCode)?.optOut === true;
        return stop(optedOut ? 'opted_out' : 'failed', result.failure);
      }
      sent++;
      await this.recordSent(result.created, about, result.attempts);
    }
    return { sent, skipped: 0 };
  }

  /** One `messages.create`, retried only where Twilio cannot have taken the message already. */
  private async create(
    params: Parameters<TwilioClient['messages']['create']>[0],
  ): Promise<
    | { ok: true; created: unknown; attempts: number }
    | { ok: false; failure: SendFailure; attempts: number }
  > {
    for (let attempt = 1; ; attempt++) {
      const outcome = await captureResponseHeaders(() =>
        this.options.client.messages.create(params),
      );
      if (outcome.ok) return { ok: true, created: outcome.value, attempts: attempt };
      const failure = classifyFailure(outcome.error, outcome.headers, this.clock());
      if (!failure.retryNow || attempt >= MAX_ATTEMPTS)
        return { ok: false, failure, attempts: attempt };
      // Jitter (x0.5 to x1.5) keeps many senders held back by one 429 from returning together.
      const backoff = FIRST_BACKOFF_MS * 2 ** (attempt - 1) * (0.5 + this.random());
      const retryAfter = failure.retryAfterMs ?? 0;
      if (retryAfter > LONGEST_RETRY_AFTER_MS) return { ok: false, failure, attempts: attempt };
      const delay = Math.round(Math.max(backoff, retryAfter));
      this.options.logger.debug(
        { code: failure.code, httpStatus: failure.httpStatus, attempt, delayMs: delay },
        'retrying a Twilio send',
      );
      await this.sleep(delay);
    }
  }

  private async recordSent(
    created: unknown,
    about: { ref: string; channel: TwilioChannel; flowId: string | undefined },
    attempts: number,
  ): Promise<void> {
    const { logger, statusLog } = this.options;
    const parsed = createdSchema.safeParse(created);
    if (!parsed.success) {
      logger.warn(
        { code: 'message_sid_missing', ...about },
        'Twilio accepted a message without a usable SID',
      );
      return;
    }
    const { sid, status } = parsed.data;
    logger.debug({ ...about, sid, attempts }, 'message sent');
    try {
      await statusLog.recordSent(sid, {
        ...about,
        status: isMessageStatus(status) ? status : undefined,
      });
    } catch {
      // The message went: failing now would invite a retry that sends it twice.
      logger.warn({ code: 'status_log_failed', ...about, sid }, 'could not record a sent message');
    }
  }

  private async failed(
    key: ParticipantKey,
    about: { ref: string; channel: TwilioChannel; flowId: string | undefined },
    failure: SendFailure,
    attempts: number,
  ): Promise<void> {
    const { logger, statusLog } = this.options;
    const rule = twilioErrorRule(failure.twilioCode);
    const fields = {
      code: failure.code,
      ...about,
      httpStatus: failure.httpStatus,
      twilioCode: failure.twilioCode,
      networkCode: failure.networkCode,
      attempts,
      explain: rule?.explain,
    };
    if (rule?.optOut === true) {
      logger.info(fields, 'Twilio says the person has unsubscribed; recording the opt-out');
      try {
        await this.options.onOptedOut(key);
      } catch {
        logger.error({ code: 'opt_out_not_recorded', ...about }, 'could not record an opt-out');
      }
    } else if (failure.httpStatus === 401 || failure.httpStatus === 403) {
      logger.error(
        fields,
        'Twilio refused our credentials; check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN',
      );
    } else {
      logger.warn(fields, failureMessage(failure));
    }
    if (failure.code !== 'twilio_refused') return;
    try {
      await statusLog.recordRejected(about, failure.twilioCode);
    } catch {
      logger.warn({ code: 'status_log_failed', ...about }, 'could not record a refused message');
    }
  }
}

function failureMessage(failure: SendFailure): string {
  switch (failure.code) {
    case 'twilio_refused':
      return 'Twilio refused the message';
    case 'twilio_unavailable':
      return 'Twilio could not be reached or was busy; the message was not sent';
    case 'twilio_uncertain':
      return 'the message may or may not have been sent; not retried, to avoid sending it twice';
    case 'store_unavailable':
      return 'outbound limit unavailable';
  }
}
