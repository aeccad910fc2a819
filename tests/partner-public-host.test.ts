import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import type { Delivery } from '../src/partners/delivery.js';
import { createWebhookSender } from '../src/partners/http-partner-client.js';
import { receiverAccepts } from './helpers/webhook-receiver.js';

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

beforeEach(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('a public partner over https', () => {
  it('is sent the signed delivery', async () => {
    let seen: { headers: Record<string, string | string[] | undefined>; body: string } | undefined;
    const scope = nock('https://partner.example')
      .post('/carevoice')
      .reply(function reply(_uri, body) {
        seen = {
          headers: this.req.headers,
          body: typeof body === 'string' ? body : JSON.stringify(body),
        };
        return [204];
      });
    const send = createWebhookSender({
      httpHosts: [],
      logger: createLogger('silent'),
      clock: () => NOW,
    });
    const outcome = await send(
      { kind: 'webhook', url: 'https://partner.example/carevoice', secret: SECRET },
      delivery,
    );
    expect(outcome).toEqual({ result: 'delivered', status: 204 });
    expect(scope.isDone()).toBe(true);
    expect(seen?.body).toBe(delivery.body);
    expect(seen?.headers['user-agent']).toBe('carevoice');
    expect(seen?.headers['content-type']).toBe('application/json');
    expect(receiverAccepts(SECRET, seen?.headers ?? {}, delivery.body, NOW.getTime() / 1000)).toBe(
      true,
    );
  });
});
