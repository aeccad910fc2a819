import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { createApp } from '../src/http/app.js';
import { createLogger } from '../src/logger.js';
import { webhookIdFor } from '../src/partners/payload.js';
import { createRuntime, type Runtime } from '../src/runtime.js';
import {
  completeConversation,
  FLOW_ID,
  PARTNER_ID,
  SECRET,
  SECRET_ENV,
  writePartnerFlow,
} from './helpers/partner-flow.js';
import { startPartnerServer, type PartnerServer } from './helpers/partner-server.js';

const TOKEN = 'admin-token-for-delivery-tests-0001';

/** Polls (bounded) until the check passes: the server records an outcome after the partner answers. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last seen ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('coordinators and partner deliveries, through the app (embedded mode)', () => {
  let dir: string;
  let partner: PartnerServer;
  let runtime: Runtime;
  let server: Server;
  let base: string;

  async function start(env: Record<string, string> = { [SECRET_ENV]: SECRET }): Promise<void> {
    const config = loadConfig({
      NODE_ENV: 'test',
      FLOWS_DIR: writePartnerFlow(dir, partner.url),
      LOCALES_DIR: 'locales',
      ADMIN_TOKEN: TOKEN,
      PARTNER_HTTP_HOSTS: '127.0.0.1',
    });
    runtime = await createRuntime(config, {
      logger: createLogger('silent'),
      env,
      // Two attempts, 10 ms apart.
      deliverySchedule: (made) => (made < 2 ? 10 : undefined),
    });
    server = createServer(createApp(runtime));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  const api = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
  const held = async () =>
    (await api('GET', '/api/deliveries/partners')).json as {
      held: { id: string; kind: string; reason: string; attempts: number; recordId: string }[];
      disabledPartners: { flowId: string; partnerId: string; reason: string }[];
    };
  const metrics = async (): Promise<string> => (await fetch(`${base}/metrics`)).text();

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carevoice-deliveries-'));
    partner = await startPartnerServer();
  });
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await runtime?.close();
    await partner.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows a partner disabled by 410 and its parked delivery, and enabling it delivers', async () => {
    await start();
    partner.script({ status: 410 });
    await completeConversation(base, 1);
    const parked = await eventually(held, (o) => o.held.length === 1);
    const [delivery] = parked.held;
    expect(delivery).toMatchObject({ kind: 'parked', reason: 'http_410', attempts: 1 });
    expect(delivery?.id).toBe(
      webhookIdFor('response.completed', delivery?.recordId ?? '', PARTNER_ID),
    );
    expect(parked.disabledPartners).toMatchObject([
      { flowId: FLOW_ID, partnerId: PARTNER_ID, reason: 'http_410' },
    ]);
    const labels = `{flow="${FLOW_ID}",partner="${PARTNER_ID}"}`;
    expect(await metrics()).toContain(`carevoice_partner_disabled${labels} 1`);
    expect(await metrics()).toContain(`carevoice_partner_deliveries_parked_total${labels} 1`);

    const enabled = await api('POST', '/api/deliveries/partners/enable', {
      flow: FLOW_ID,
      partner: PARTNER_ID,
    });
    expect(enabled).toEqual({ status: 200, json: { wasDisabled: true, replayed: [delivery?.id] } });
    await partner.waitForRequests(2);
    expect(partner.received.map((r) => r.webhookId)).toEqual([delivery?.id, delivery?.id]);
    await eventually(metrics, (text) =>
      text.includes(`carevoice_partner_deliveries_delivered_total${labels} 1`),
    );
    expect(await held()).toEqual({ held: [], disabledPartners: [] });
  });

  it('lists a dead letter with its reason and attempts, and replays it under the same webhook-id', async () => {
    await start();
    partner.fallback = { status: 500 };
    await completeConversation(base, 1);
    const dead = await eventually(held, (o) => o.held.length === 1);
    expect(dead.held[0]).toMatchObject({ kind: 'dead_lettered', reason: 'http_500', attempts: 2 });
    const id = dead.held[0]?.id;

    partner.fallback = { status: 204 };
    const replayed = await api('POST', '/api/deliveries/partners/replay', {
      all: true,
      partner: PARTNER_ID,
    });
    expect(replayed).toEqual({ status: 200, json: { replayed: [id], skipped: [] } });
    await partner.waitForRequests(3);
    expect(new Set(partner.received.map((r) => r.webhookId))).toEqual(new Set([id]));
    const text = await eventually(metrics, (t) => t.includes('deliveries_delivered_total{'));
    const labels = `{flow="${FLOW_ID}",partner="${PARTNER_ID}"}`;
    expect(text).toContain(`carevoice_partner_delivery_retries_total${labels} 1`);
    expect(text).toContain(`carevoice_partner_deliveries_dead_lettered_total${labels} 1`);
    expect(text).toContain(`carevoice_partner_deliveries_delivered_total${labels} 1`);
  });

  it('refuses requests without the token and bodies it cannot read', async () => {
    await start();
    const anonymous = await fetch(`${base}/api/deliveries/partners`);
    expect(anonymous.status).toBe(401);
    const bad = await api('POST', '/api/deliveries/partners/replay', { ids: [] });
    expect(bad.status).toBe(400);
    expect((bad.json['error'] as { code: string }).code).toBe('invalid_input');
    expect((await api('POST', '/api/deliveries/partners/enable', { flow: FLOW_ID })).status).toBe(
      400,
    );
  });

  it('without the partner secret, starts and parks its deliveries where coordinators see them', async () => {
    await start({});
    await completeConversation(base, 1);
    const parked = await eventually(held, (o) => o.held.length === 1);
    expect(parked.held[0]).toMatchObject({ kind: 'parked', reason: 'partner_not_configured' });
    expect(partner.received).toEqual([]);
  });

  it('in production, refuses to start while a partner secret is missing, naming it', async () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      REDIS_URL: 'redis://127.0.0.1:1',
      PSEUDONYM_KEY: 'a-production-pseudonym-key-of-32-chars!!',
      FLOWS_DIR: writePartnerFlow(dir, 'https://trust.example/fft'),
      LOCALES_DIR: 'locales',
    });
    const starting = createRuntime(config, { logger: createLogger('silent'), env: {} });
    await expect(starting).rejects.toBeInstanceOf(ConfigError);
    await expect(starting).rejects.toThrow(
      `flow ${FLOW_ID}, partner ${PARTNER_ID}: ${SECRET_ENV} is not set`,
    );
  });
});
