import http from 'node:http';
import https from 'node:https';
import type { Logger } from '../logger.js';
import {
  AddressRefusedError,
  bareHost,
  checkPartnerUrl,
  guardedLookup,
  systemResolve,
  type Resolve,
} from './address-guard.js';
import type { Delivery, DeliveryOutcome, PartnerTarget } from './delivery.js';
import { parseRetryAfterMs } from './retry-schedule.js';
import { signWebhook, type WebhookHeaders } from './signature.js';

/** Standard Webhooks asks receivers to answer within 15 to 30 s; a slower partner is retried. */
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 15_000;
/** The reply matters only by its status; a partner that streams more is cut off. */
export const MAX_RESPONSE_BYTES = 256 * 1024;

export type WebhookTarget = Extract<PartnerTarget, { kind: 'webhook' }>;
export type WebhookSender = (target: WebhookTarget, delivery: Delivery) => Promise<DeliveryOutcome>;

export interface WebhookSenderOptions {
  /** `PARTNER_HTTP_HOSTS`: hosts that may be sent plain http and reached on loopback. */
  readonly httpHosts: readonly string[];
  readonly logger: Logger;
  /** Whole attempt, connection to last byte read. */
  readonly timeoutMs?: number | undefined;
  /** The attempt's `webhook-timestamp`, and the base for a `Retry-After` date. */
  readonly clock?: (() => Date) | undefined;
  /** Name resolution under the address guard; the system resolver unless a test injects one. */
  readonly resolve?: Resolve | undefined;
}

/** Network failures by Node error code; anything unlisted is `network_error`. */
const NETWORK_REASONS: Readonly<Record<string, string>> = {
  attempt_timeout: 'timeout',
  ETIMEDOUT: 'timeout',
  ECONNRESET: 'connection_reset',
  EPIPE: 'connection_reset',
  ECONNREFUSED: 'connection_refused',
  ENOTFOUND: 'dns_failed',
  EAI_AGAIN: 'dns_failed',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
};

class AttemptTimeoutError extends Error {
  readonly code = 'attempt_timeout';
}

/**
 * Posts a delivery to a partner's webhook, signed for this attempt. Redirects are never
 * followed (the next hop could be internal, and the spec counts 3xx as failure); every other
 * failure is a `retry` so that a misconfigured partner shows up in the dead-letter list rather
 * than losing responses. Only 410 Gone stops deliveries. Never throws, never logs a body.
 */
export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const httpHosts = new Set(options.httpHosts.map(bareHost));
  const timeoutMs = options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  const clock = options.clock ?? (() => new Date());
  const resolve = options.resolve ?? systemResolve;
  const { logger } = options;

  return async (target, delivery) => {
    const log = { partner: delivery.partnerId, delivery: delivery.id };
    const checked = checkPartnerUrl(target.url, httpHosts);
    if (!checked.ok) {
      logger.warn(
        { ...log, code: 'partner_address_refused', range: checked.refused },
        'partner address refused',
      );
      return { result: 'retry', reason: 'address_refused' };
    }
    let headers: WebhookHeaders;
    try {
      headers = signWebhook(target.secret, delivery, clock());
    } catch {
      // Only a malformed secret setting gets here; its value is never logged.
      logger.error({ ...log, code: 'partner_secret_invalid' }, 'partner secret cannot sign');
      return { result: 'retry', reason: 'secret_invalid' };
    }
    const outcome = await post(checked.url, {
      body: delivery.body,
      headers: {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(delivery.body)),
        'user-agent': 'carevoice',
        ...headers,
      },
      lookup: guardedLookup(resolve, checked.allowLoopback),
      timeoutMs,
      now: clock,
    });
    if ('refused' in outcome) {
      logger.warn(
        { ...log, code: 'partner_address_refused', range: outcome.refused },
        'partner address refused',
      );
      return { result: 'retry', reason: 'address_refused' };
    }
    return outcome;
  };
}

interface Post {
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly lookup: ReturnType<typeof guardedLookup>;
  readonly timeoutMs: number;
  readonly now: () => Date;
}

function post(url: URL, p: Post): Promise<DeliveryOutcome | { refused: string }> {
  return new Promise((settle) => {
    let settled = false;
    const finish = (outcome: DeliveryOutcome | { refused: string }): void => {
      if (settled) return;
      settled = true;
      settle(outcome);
    };
    const transport = url.protocol === 'https:' ? https : http;
    // A fresh agent per attempt: a pooled socket could have been opened by a lookup we never checked.
    const request = transport.request(url, {
      method: 'POST',
      headers: p.headers,
      agent: false,
      lookup: p.lookup,
    });
    const deadline = setTimeout(() => request.destroy(new AttemptTimeoutError()), p.timeoutMs);
    request.on('close', () => clearTimeout(deadline));
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (error instanceof AddressRefusedError) return finish({ refused: error.range });
      const reason =
        NETWORK_REASONS[error.code ?? ''] ?? (isTlsError(error) ? 'tls_failed' : 'network_error');
      finish({ result: 'retry', reason });
    });
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      const header = response.headers['retry-after'];
      finish(outcomeForStatus(status, parseRetryAfterMs(header, p.now())));
      let read = 0;
      response.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_RESPONSE_BYTES) request.destroy();
      });
      // The outcome is already settled; a reply cut off mid-body changes nothing.
      response.on('error', () => undefined);
    });
    request.end(p.body);
  });
}

/** What a partner's status means: the Standard Webhooks table, with every failure retried but 410. */
function outcomeForStatus(status: number, retryAfterMs: number | undefined): DeliveryOutcome {
  if (status >= 200 && status < 300) return { result: 'delivered', status };
  if (status === 410) return { result: 'gone', status };
  if (status >= 300 && status < 400) return { result: 'retry', reason: 'redirect', status };
  return { result: 'retry', reason: `http_${status}`, status, retryAfterMs };
}

function isTlsError(error: NodeJS.ErrnoException): boolean {
  const code = error.code ?? '';
  return code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || /CERT|SELF_SIGNED/.test(code);
}
