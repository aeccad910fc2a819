import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the partner answers one request: a status (and headers), a cut connection, or silence. */
export type PartnerReply =
  | { readonly status: number; readonly headers?: Readonly<Record<string, string>> }
  | 'reset'
  | 'hang';

export interface ReceivedRequest {
  readonly webhookId: string;
  readonly timestamp: string;
  readonly signature: string;
  readonly body: string;
  /** The record id the body is about (`data.id`). */
  readonly recordId: string;
}

export interface PartnerServer {
  readonly url: string;
  readonly port: number;
  /** Every request, in arrival order, answered or not. */
  readonly received: ReceivedRequest[];
  /** Replies for the next requests, in order; after them, `fallback`. */
  script(...replies: PartnerReply[]): void;
  fallback: PartnerReply;
  /** Resolves once `count` requests have arrived in all. */
  waitForRequests(count: number): Promise<void>;
  /** Resolves once what has arrived passes `check` (tried after every request). */
  waitUntil(check: (received: readonly ReceivedRequest[]) => boolean): Promise<void>;
  close(): Promise<void>;
}

/**
 * A partner's webhook endpoint on 127.0.0.1 that answers as the test scripts it and records
 * what it was sent. Connections left hanging are cut on close.
 */
export async function startPartnerServer(
  options: { readonly port?: number; readonly fallback?: PartnerReply } = {},
): Promise<PartnerServer> {
  const received: ReceivedRequest[] = [];
  const queued: PartnerReply[] = [];
  let waiters: { check: (received: readonly ReceivedRequest[]) => boolean; resolve: () => void }[] =
    [];
  const waitUntil = (check: (received: readonly ReceivedRequest[]) => boolean): Promise<void> =>
    check(received)
      ? Promise.resolve()
      : new Promise((resolve) => waiters.push({ check, resolve }));

  const handle = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    received.push({
      webhookId: String(req.headers['webhook-id'] ?? ''),
      timestamp: String(req.headers['webhook-timestamp'] ?? ''),
      signature: String(req.headers['webhook-signature'] ?? ''),
      body,
      recordId: recordIdOf(body),
    });
    waiters = waiters.filter((waiter) =>
      waiter.check(received) ? (waiter.resolve(), false) : true,
    );
    const reply = queued.shift() ?? server.fallback;
    if (reply === 'reset') {
      req.socket.destroy();
    } else if (reply !== 'hang') {
      res.writeHead(reply.status, reply.headers ?? {}).end();
    }
  };

  const http = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => handle(req, res, body));
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = http.address() as AddressInfo;

  const server: PartnerServer = {
    url: `http://127.0.0.1:${port}/hooks/carevoice`,
    port,
    received,
    fallback: options.fallback ?? { status: 204 },
    script: (...replies) => queued.push(...replies),
    waitForRequests: (count) => waitUntil((all) => all.length >= count),
    waitUntil,
    close: () =>
      new Promise((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
  return server;
}

function recordIdOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { data?: { id?: unknown } };
    return typeof parsed.data?.id === 'string' ? parsed.data.id : '';
  } catch {
    return '';
  }
}
