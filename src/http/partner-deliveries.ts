import express, { type Router } from 'express';
import { z } from 'zod';
import type { HeldDeliveries, ReplaySelection } from '../partners/held-deliveries.js';

const ID = z.string().min(1).max(100);
/** One request replays at most this many deliveries by id; `all` has no limit. */
const MAX_IDS = 1_000;

const listQuery = z.object({
  flow: ID.optional(),
  partner: ID.optional(),
  kind: z.enum(['dead_lettered', 'parked']).optional(),
});
const replayBody = z.union([
  z.strictObject({ ids: z.array(ID).min(1).max(MAX_IDS) }),
  z.strictObject({ all: z.literal(true), flow: ID.optional(), partner: ID.optional() }),
]);
const enableBody = z.strictObject({ flow: ID, partner: ID });

/**
 * The coordinators' side of partner deliveries, mounted behind the admin token:
 *
 * - `GET /api/deliveries/partners?flow=&partner=&kind=`: held deliveries (ids, reason,
 *   attempts, times; never the body) and disabled partners.
 * - `POST /api/deliveries/partners/replay` `{"ids": [...]}` or `{"all": true, "partner": "council"}`:
 *   fresh attempts under the same `webhook-id`.
 * - `POST /api/deliveries/partners/enable` `{"flow": "...", "partner": "..."}`: turns a partner
 *   disabled by a 410 back on and sends what was parked for it.
 */
export function createPartnerDeliveriesRouter(held: HeldDeliveries): Router {
  const router = express.Router();
  const json = express.json({ limit: '64kb', strict: true });

  router.get('/api/deliveries/partners', async (req, res) => {
    const query = listQuery.safeParse(req.query);
    if (!query.success) {
      invalid(res, 'flow and partner: ids; kind: dead_lettered or parked');
      return;
    }
    const { flow, partner, kind } = query.data;
    const overview = await held.overview({ flowId: flow, partnerId: partner, kind });
    res.set('Cache-Control', 'no-store').json(overview);
  });

  router.post('/api/deliveries/partners/replay', json, async (req, res) => {
    const body = replayBody.safeParse(req.body);
    if (!body.success) {
      invalid(
        res,
        `send {"ids": [...]} (1 to ${MAX_IDS}) or {"all": true} with an optional flow and partner`,
      );
      return;
    }
    const selection: ReplaySelection =
      'ids' in body.data
        ? { ids: body.data.ids }
        : { all: true, flowId: body.data.flow, partnerId: body.data.partner };
    res.set('Cache-Control', 'no-store').json(await held.replay(selection));
  });

  router.post('/api/deliveries/partners/enable', json, async (req, res) => {
    const body = enableBody.safeParse(req.body);
    if (!body.success) {
      invalid(res, 'send {"flow": "<flow id>", "partner": "<partner id>"}');
      return;
    }
    res.set('Cache-Control', 'no-store').json(await held.enable(body.data.flow, body.data.partner));
  });

  return router;
}

function invalid(res: express.Response, message: string): void {
  res.status(400).json({ error: { code: 'invalid_input', message } });
}
