import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import type { Delivery } from '../src/partners/delivery.js';
import {
  createWebhookSender,
  type WebhookSenderOptions,
} from '../src/partners/http-partner-client.js';
import { receiverAccepts } from './helpers/webhook-receiver.js';

const SECRET = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
const NOW = new Date('2026-11-20T10:00:00Z');
const delivery: Delivery = {
  id: 'msg_00112233445566778899aabbccddeeff',
  type: 'response.completed',
  flowId: 'weekends',
  partnerId: 'council',
  recordId: 'rsp_01',
  body: '{"type":"response.completed","timestamp":"2026-11-20T09:59:00.000Z","data":{"id":"rsp_01"}}',
};

interface Received {
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** A partner on 127.0.0.1 that records what it is sent and answers as the test says. */
async function partner(
  answer: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      answer(req, res);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    }),
  );
});

function sender(options: Partial<WebhookSenderOptions> = {}) {
  return createWebhookSender({
    httpHosts: ['127.0.0.1'],
    logger: createLogger('silent'),
    clock: () => NOW,
    ...options,
  });
}

const target = (url: string, secret = SECRET) => ({ kind: 'webhook' as const, url, secret });

describe('posting a delivery to a partner webhook', () => {
  it('sends the body as JSON with the three signed headers, and a 2xx is delivered', async () => {
    const hook = await partner((_, res) => res.writeHead(202).end('{"ok":true}'));
    const outcome = await sender()(target(hook.url), delivery);
    expect(outcome).toEqual({ result: 'delivered', status: 202 });
    const [request] = hook.received;
    expect(request?.body).toBe(delivery.body);
    expect(request?.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'carevoice',
      'webhook-id': delivery.id,
      'webhook-timestamp': String(NOW.getTime() / 1000),
    });
    expect(
      receiverAccepts(SECRET, request?.headers ?? {}, request?.body ?? '', NOW.getTime() / 1000),
    ).toBe(true);
  });

  it.each([
    [500, 'http_500'],
    [502, 'http_502'],
    [404, 'http_404'],
    [400, 'http_400'],
  ])(
    'retries on %i, so a broken or misconfigured partner reaches the dead-letter list',
    async (status, reason) => {
      const hook = await partner((_, res) => res.writeHead(status).end());
      expect(await sender()(target(hook.url), delivery)).toEqual({
        result: 'retry',
        reason,
        status,
        retryAfterMs: undefined,
      });
    },
  );

  it('stops on 410 Gone', async () => {
    const hook = await partner((_, res) => res.writeHead(410).end());
    expect(await sender()(target(hook.url), delivery)).toEqual({ result: 'gone', status: 410 });
  });

  it('honours Retry-After in seconds on 429', async () => {
    const hook = await partner((_, res) => res.writeHead(429, { 'retry-after': '120' }).end());
    expect(await sender()(target(hook.url), delivery)).toMatchObject({
      result: 'retry',
      reason: 'http_429',
      retryAfterMs: 120_000,
    });
  });

  it('honours Retry-After as an HTTP date on 503', async () => {
    const later = new Date(NOW.getTime() + 90_000).toUTCString();
    const hook = await partner((_, res) => res.writeHead(503, { 'retry-after': later }).end());
    expect(await sender()(target(hook.url), delivery)).toMatchObject({
      result: 'retry',
      reason: 'http_503',
      retryAfterMs: 90_000,
    });
  });

  it.each([301, 302, 307, 308])('never follows a %i redirect', async (status) => {
    const elsewhere = await partner((_, res) => res.writeHead(200).end());
    const hook = await partner((_, res) =>
      res.writeHead(status, { location: elsewhere.url }).end(),
    );
    expect(await sender()(target(hook.url), delivery)).toEqual({
      result: 'retry',
      reason: 'redirect',
      status,
    });
    expect(hook.received).toHaveLength(1);
    expect(elsewhere.received).toHaveLength(0);
  });

  it('does not follow a redirect to the cloud metadata address either', async () => {
    const hook = await partner((_, res) =>
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' }).end(),
    );
    expect(await sender()(target(hook.url), delivery)).toMatchObject({ reason: 'redirect' });
  });

  it('gives up on a partner that never answers, after the timeout', async () => {
    const hook = await partner(() => undefined);
    expect(await sender({ timeoutMs: 100 })(target(hook.url), delivery)).toEqual({
      result: 'retry',
      reason: 'timeout',
    });
    expect(hook.received).toHaveLength(1);
  });

  it('retries when the partner drops the connection', async () => {
    const hook = await partner((req) => req.socket.destroy());
    expect(await sender()(target(hook.url), delivery)).toEqual({
      result: 'retry',
      reason: 'connection_reset',
    });
  });

  it('retries when nothing listens', async () => {
    const hook = await partner(() => undefined);
    const closed = hook.url;
    await Promise.all(
      servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))),
    );
    expect(await sender()(target(closed), delivery)).toEqual({
      result: 'retry',
      reason: 'connection_refused',
    });
  });

  it('stops reading a reply that runs past 256 KiB', async () => {
    let cutOff: Promise<unknown> = Promise.resolve();
    const hook = await partner((_, res) => {
      res.writeHead(200);
      cutOff = once(res, 'close');
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    expect(await sender({ timeoutMs: 60_000 })(target(hook.url), delivery)).toEqual({
      result: 'delivered',
      status: 200,
    });
    await cutOff;
  });

  it('does not throw on a secret that cannot sign: it is retried until someone fixes it', async () => {
    const hook = await partner((_, res) => res.writeHead(200).end());
    expect(await sender()(target(hook.url, 'not a secret'), delivery)).toEqual({
      result: 'retry',
      reason: 'secret_invalid',
    });
    expect(hook.received).toHaveLength(0);
  });
});
