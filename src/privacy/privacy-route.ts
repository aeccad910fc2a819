import express, { type Response, type Router } from 'express';
import { z } from 'zod';
import { ERASABLE_CHANNELS, readErasureSubject } from './erasure-subject.js';
import type { Privacy } from './privacy.js';

/** Tombstones listed at most, newest first. */
const MAX_TOMBSTONES = 500;

const eraseBody = z.strictObject({
  address: z.string().min(1).max(200),
  channel: z.enum(ERASABLE_CHANNELS).optional(),
});
const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_TOMBSTONES).default(100),
});

/**
 * Erasure and retention for coordinators, mounted behind the admin token:
 *
 * - `DELETE /api/participants` `{"address": "+447700900123", "channel": "sms"}` (channel
 *   optional): erases everything held about the person and answers with the tombstone. The
 *   address travels in the body, never the URL: URLs end up in access logs and proxies.
 * - `GET /api/erasures?limit=100`: the latest tombstones (no address, no pseudonymous id).
 * - `GET /api/flows/:id/retention`: how long the flow keeps responses, how many it holds and
 *   until when the oldest is kept.
 *
 * Refusals never repeat the address they were sent.
 */
export function createPrivacyRouter(privacy: Pick<Privacy, 'erasure' | 'retention'>): Router {
  const { erasure } = privacy;
  const router = express.Router();
  const json = express.json({ limit: '4kb', strict: true });

  router.delete('/api/participants', json, async (req, res) => {
    const body = eraseBody.safeParse(req.body);
    if (!body.success) {
      invalid(
        res,
        'send JSON {"address": "<phone number or Slack member id>", "channel": "sms"}; channel is sms, whatsapp or slack, and may be left out',
      );
      return;
    }
    const subject = readErasureSubject(body.data.address, body.data.channel);
    if (!subject.ok) {
      invalid(res, subject.reason);
      return;
    }
    const tombstone = await erasure.forget(subject.keys, 'admin_api');
    res.set('Cache-Control', 'no-store').json({ erasure: tombstone });
  });

  router.get('/api/erasures', async (req, res) => {
    const query = listQuery.safeParse(req.query);
    if (!query.success) {
      invalid(res, `limit: a whole number from 1 to ${MAX_TOMBSTONES}`);
      return;
    }
    res.set('Cache-Control', 'no-store').json({ erasures: await erasure.recent(query.data.limit) });
  });

  router.get('/api/flows/:id/retention', async (req, res) => {
    res.set('Cache-Control', 'no-store').json(await privacy.retention(req.params.id));
  });

  return router;
}

function invalid(res: Response, message: string): void {
  res.status(400).json({ error: { code: 'invalid_input', message } });
}
