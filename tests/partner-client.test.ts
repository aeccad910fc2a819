import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import type { Delivery, DeliveryOutcome, PartnerTarget } from '../src/partners/delivery.js';
import { createPartnerClient } from '../src/partners/partner-client.js';

const delivery = (n: number): Delivery => ({
  id: `msg_${String(n).padStart(32, '0')}`,
  type: 'response.completed',
  flowId: 'weekends',
  partnerId: 'carers_centre',
  recordId: `rsp_0${n}`,
  body: JSON.stringify({
    type: 'response.completed',
    data: { id: `rsp_0${n}`, story: 'private words' },
  }),
});

describe('partner client', () => {
  it('sends webhook targets to the webhook sender and file targets to the file sink, logging what did not land', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger('info', {
      write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>),
    });
    const seen: string[] = [];
    const client = createPartnerClient({
      webhook: (target) => {
        seen.push(`webhook ${target.url}`);
        return Promise.resolve<DeliveryOutcome>({
          result: 'retry',
          reason: 'http_500',
          status: 500,
        });
      },
      file: (target) => {
        seen.push(`file ${target.path}`);
        return Promise.resolve<DeliveryOutcome>({ result: 'delivered' });
      },
      logger,
    });
    const webhook: PartnerTarget = { kind: 'webhook', url: 'https://p.example/h', secret: 'x' };
    expect(await client.send(webhook, delivery(1), 3)).toMatchObject({ reason: 'http_500' });
    expect(await client.send({ kind: 'file', path: 'c.jsonl' }, delivery(2), 1)).toEqual({
      result: 'delivered',
    });
    expect(seen).toEqual(['webhook https://p.example/h', 'file c.jsonl']);
    expect(lines).toEqual([
      expect.objectContaining({
        code: 'partner_delivery_failed',
        partner: 'carers_centre',
        delivery: delivery(1).id,
        attempt: 3,
        reason: 'http_500',
        status: 500,
      }),
    ]);
    expect(JSON.stringify(lines)).not.toContain('private words');
  });
});
