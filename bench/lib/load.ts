import autocannon from 'autocannon';
import { WEBHOOK_PATH, type RequestFeed } from './traffic.js';

export interface LoadOptions {
  readonly connections: number;
  readonly durationSec: number;
}

export interface LoadResult {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  /** Non-2xx responses, connection errors and timeouts: each must be 0. */
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  /** 2xx answers whose TwiML carried no <Message>: conversations that did not advance. */
  readonly silent: number;
}

/**
 * Signed webhooks from the feed at `connections` concurrent connections, spread evenly over
 * the targets (one autocannon instance each, all in this process). Throughput is the sum;
 * latency percentiles are the worst target's, so two targets are never flattered.
 */
export async function runLoad(
  targets: readonly string[],
  feed: RequestFeed,
  options: LoadOptions,
): Promise<LoadResult> {
  const perTarget = Math.max(1, Math.floor(options.connections / targets.length));
  let silent = 0;
  const results = await Promise.all(
    targets.map((url) =>
      autocannon({
        url,
        connections: perTarget,
        duration: options.durationSec,
        requests: [
          {
            method: 'POST',
            path: WEBHOOK_PATH,
            setupRequest: (request) => {
              const next = feed.take();
              return {
                ...request,
                body: next.body,
                headers: {
                  ...request.headers,
                  'content-type': 'application/x-www-form-urlencoded',
                  'x-twilio-signature': next.signature,
                },
              };
            },
            onResponse: (status, body) => {
              if (status < 300 && !body.includes('<Message>')) silent++;
            },
          },
        ],
      }),
    ),
  );
  return {
    rps: sum(results.map((r) => r.requests.average)),
    p50Ms: Math.max(...results.map((r) => r.latency.p50)),
    p99Ms: Math.max(...results.map((r) => r.latency.p99)),
    requests: sum(results.map((r) => r.requests.total)),
    non2xx: sum(results.map((r) => r.non2xx)),
    errors: sum(results.map((r) => r.errors)),
    timeouts: sum(results.map((r) => r.timeouts)),
    silent,
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
