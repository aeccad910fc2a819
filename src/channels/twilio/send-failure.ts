import { z } from 'zod';
import { twilioErrorRule } from './error-codes.js';

/**
 * Why a message was not sent, and whether sending it again is safe.
 *
 * | code                 | when                                                             | retry now | retry later |
 * |----------------------|------------------------------------------------------------------|-----------|-------------|
 * | `twilio_unavailable` | HTTP 429 or 5xx, or no connection could be made                  | yes       | yes         |
 * | `twilio_refused`     | any other HTTP 4xx                                               | no        | per code (error-codes.ts) |
 * | `twilio_uncertain`   | timeout or connection lost once the request may have gone out   | no        | no          |
 * | `store_unavailable`  | the outbound limit could not be checked (nothing was sent)       | no        | yes         |
 *
 * Twilio answered a 429 or 5xx without creating the message, and a connection that was never
 * made carried no request: both are safe to send again. A timeout or a connection lost after
 * the request was written is not: Twilio may have created the message and only the answer
 * was lost, and a second request would text the person twice. Such a message is reported and
 * left; a reminder or the person's next reply moves the conversation on.
 */
export interface SendFailure {
  readonly code: 'twilio_unavailable' | 'twilio_refused' | 'twilio_uncertain' | 'store_unavailable';
  /** Send again after a backoff, now. */
  readonly retryNow?: boolean | undefined;
  /** A later attempt (the caller's job retry) may work. */
  readonly retryable: boolean;
  readonly httpStatus?: number | undefined;
  readonly twilioCode?: number | undefined;
  /** The network error's code, e.g. ECONNREFUSED, when there was no HTTP response. */
  readonly networkCode?: string | undefined;
  readonly retryAfterMs?: number | undefined;
}

/** Raised before a connection existed, so no byte of the request reached Twilio. */
const NOT_CONNECTED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);
/**
 * A reset or broken pipe is safe only on a reused keep-alive socket: that is Twilio closing an
 * idle connection just as we wrote on it, which Node documents as the case to retry. On a
 * fresh connection the request may have been read before the reset.
 */
const RESET = new Set(['ECONNRESET', 'EPIPE']);

/** twilio's RestException, and its RFC 9457 TwilioServiceException (code 0 = none). */
const httpErrorSchema = z.object({
  status: z.number().int().min(100).max(599),
  code: z.number().int().optional(),
});
/** axios's error when no response arrived; `request` is Node's ClientRequest. */
const networkErrorSchema = z.object({
  code: z.string(),
  request: z.object({ reusedSocket: z.boolean().optional() }).optional(),
});
const retryAfterSchema = z.object({ 'retry-after': z.string().optional() });

export function classifyFailure(error: unknown, headers: unknown, now: Date): SendFailure {
  const http = httpErrorSchema.safeParse(error);
  if (http.success) {
    const { status } = http.data;
    const twilioCode = http.data.code === 0 ? undefined : http.data.code;
    if (status === 429 || status >= 500) {
      return {
        code: 'twilio_unavailable',
        retryNow: true,
        retryable: true,
        httpStatus: status,
        twilioCode,
        retryAfterMs: retryAfterMs(headers, now),
      };
    }
    return {
      code: 'twilio_refused',
      retryable: twilioErrorRule(twilioCode)?.retry === true,
      httpStatus: status,
      twilioCode,
    };
  }
  const network = networkErrorSchema.safeParse(error);
  if (network.success) {
    const networkCode = network.data.code;
    const notSent =
      NOT_CONNECTED.has(networkCode) ||
      (RESET.has(networkCode) && network.data.request?.reusedSocket === true);
    if (notSent)
      return { code: 'twilio_unavailable', retryNow: true, retryable: true, networkCode };
    return { code: 'twilio_uncertain', retryable: false, networkCode };
  }
  // Anything else (a bug, an unexpected error shape) is treated as the unsafe case.
  return { code: 'twilio_uncertain', retryable: false };
}

/** Retry-After in seconds or as an HTTP date; undefined when absent or unreadable. */
function retryAfterMs(headers: unknown, now: Date): number | undefined {
  const parsed = retryAfterSchema.safeParse(headers);
  const value = parsed.success ? parsed.data['retry-after']?.trim() : undefined;
  if (value === undefined || value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}
