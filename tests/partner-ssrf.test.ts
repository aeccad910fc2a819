import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { checkPartnerUrl, guardedLookup, refusedRange } from '../src/partners/address-guard.js';
import type { Delivery } from '../src/partners/delivery.js';
import {
  createWebhookSender,
  type WebhookSenderOptions,
} from '../src/partners/http-partner-client.js';

const SECRET = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;
const NOW = new Date('2026-11-20T10:00:00Z');
const delivery: Delivery = {
  id: 'msg_ffeeddccbbaa99887766554433221100',
  type: 'response.completed',
  flowId: 'weekends',
  partnerId: 'council',
  recordId: 'rsp_01',
  body: '{"type":"response.completed","data":{"id":"rsp_01"}}',
};

// No nock here: it would stop requests before the address guard's lookup runs. A public
// partner is tested with nock in partner-public-host.test.ts.

/** A resolver that answers from a table, so no test needs real DNS. */
function resolverFrom(table: Record<string, string[]>) {
  const calls: string[] = [];
  const resolve = (hostname: string): Promise<LookupAddress[]> => {
    calls.push(hostname);
    const answer = table[hostname];
    if (answer === undefined)
      return Promise.reject(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }));
    return Promise.resolve(
      answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  };
  return { resolve, calls };
}

function sending(options: Partial<WebhookSenderOptions> = {}) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', {
    write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  const send = createWebhookSender({
    httpHosts: [],
    logger,
    clock: () => NOW,
    resolve: resolverFrom({}).resolve,
    ...options,
  });
  return { send: (url: string) => send({ kind: 'webhook', url, secret: SECRET }, delivery), lines };
}

describe('partner addresses that could reach inside', () => {
  it.each([
    ['http://127.1', 'http_not_allowed'],
    ['https://127.1', 'loopback'],
    ['https://0x7f000001', 'loopback'],
    ['https://2130706433', 'loopback'],
    ['https://017700000001', 'loopback'],
    ['https://[::ffff:127.0.0.1]', 'loopback'],
    ['https://[::ffff:7f00:1]', 'loopback'],
    ['https://169.254.169.254/latest/meta-data', 'metadata'],
    ['https://[fd00:ec2::254]/latest/meta-data', 'metadata'],
    ['https://10.1.2.3', 'private'],
    ['https://172.16.0.1', 'private'],
    ['https://192.168.0.1', 'private'],
    ['https://[::1]', 'loopback'],
    ['https://[fe80::1]', 'linkLocal'],
    ['https://[fc00::1]', 'uniqueLocal'],
    ['https://100.64.0.1', 'carrierGradeNat'],
    ['https://0.0.0.0', 'unspecified'],
    ['https://[::]', 'unspecified'],
    ['https://224.0.0.1', 'multicast'],
    ['https://[ff02::1]', 'multicast'],
    ['https://[64:ff9b::7f00:1]', 'loopback'],
    ['https://[64:ff9b::a01:203]', 'private'],
    ['http://partner.example/hook', 'http_not_allowed'],
    ['ftp://partner.example/hook', 'scheme'],
    ['not a url', 'not_a_url'],
  ])('refuses %s (%s) without connecting, and logs why', async (url, range) => {
    const { send, lines } = sending();
    expect(await send(url)).toEqual({ result: 'retry', reason: 'address_refused' });
    expect(lines).toContainEqual(
      expect.objectContaining({ code: 'partner_address_refused', range, partner: 'council' }),
    );
  });

  it('refuses a name that resolves to loopback, at connect time', async () => {
    const { resolve, calls } = resolverFrom({ 'partner.example': ['127.0.0.1'] });
    const { send, lines } = sending({ resolve });
    expect(await send('https://partner.example/hook')).toEqual({
      result: 'retry',
      reason: 'address_refused',
    });
    expect(calls).toEqual(['partner.example']);
    expect(lines).toContainEqual(
      expect.objectContaining({ code: 'partner_address_refused', range: 'loopback' }),
    );
  });

  it('refuses a name with any private address among public ones', async () => {
    const { resolve } = resolverFrom({ 'partner.example': ['93.184.215.14', '10.0.0.7'] });
    const { send } = sending({ resolve });
    expect(await send('https://partner.example/hook')).toMatchObject({ reason: 'address_refused' });
  });

  it('checks the addresses on every connection, so a name rebound after a good answer is caught', async () => {
    const answers = [['93.184.215.14'], ['127.0.0.1']];
    const lookup: LookupFunction = guardedLookup(
      () => Promise.resolve((answers.shift() ?? []).map((address) => ({ address, family: 4 }))),
      false,
    );
    const connect = () =>
      new Promise<{ error: unknown; address: unknown }>((resolve) =>
        lookup('partner.example', { all: true }, (error, address) => resolve({ error, address })),
      );
    expect(await connect()).toEqual({
      error: null,
      address: [{ address: '93.184.215.14', family: 4 }],
    });
    expect((await connect()).error).toMatchObject({ code: 'address_refused', range: 'loopback' });
  });

  it('answers a single-address lookup with the family asked for', async () => {
    const lookup = guardedLookup(
      () =>
        Promise.resolve([
          { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
          { address: '93.184.215.14', family: 4 },
        ]),
      false,
    );
    const answer = await new Promise<unknown[]>((resolve) =>
      lookup('partner.example', { family: 4 }, (...args) => resolve(args)),
    );
    expect(answer).toEqual([null, '93.184.215.14', 4]);
  });

  it('reaches loopback and plain http only on a host listed in PARTNER_HTTP_HOSTS', () => {
    const listed = new Set(['localhost', '127.0.0.1']);
    expect(checkPartnerUrl('http://localhost:8080/hook', listed)).toMatchObject({
      ok: true,
      allowLoopback: true,
    });
    expect(checkPartnerUrl('http://127.0.0.1:8080/hook', listed)).toMatchObject({ ok: true });
    expect(checkPartnerUrl('http://[::1]:8080/hook', listed)).toEqual({
      ok: false,
      refused: 'http_not_allowed',
    });
    expect(refusedRange('127.0.0.1', true)).toBeUndefined();
    expect(refusedRange('10.0.0.1', true)).toBe('private');
  });
});

describe('PARTNER_HTTP_HOSTS', () => {
  it('is a comma list, empty when unset', () => {
    expect(loadConfig({ PARTNER_HTTP_HOSTS: ' 127.0.0.1, localhost ' }).partnerHttpHosts).toEqual([
      '127.0.0.1',
      'localhost',
    ]);
    expect(loadConfig({}).partnerHttpHosts).toEqual([]);
  });

  it('refuses a value that is not a list of hosts, saying what the setting is for', () => {
    expect(() => loadConfig({ PARTNER_HTTP_HOSTS: 'http://localhost/' })).toThrow(
      /PARTNER_HTTP_HOSTS: list host names separated by commas \(for local testing only/,
    );
  });
});
