import { timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { createPartnerDeliveriesRouter } from './partner-deliveries.js';
import type { Privacy } from '../privacy/privacy.js';
import { createPrivacyRouter } from '../privacy/privacy-route.js';
import type { MessageStatusLog } from '../channels/twilio/message-status.js';
import { EXPORT_CONTENT_TYPES, EXPORT_FORMATS } from '../export/exporter.js';
import { prepareFlowExport } from '../export/flow-export.js';
import { parseSince, SINCE_HELP } from '../export/since.js';
import type { FlowRegistry } from '../flow/registry.js';
import type { Logger } from '../logger.js';
import type { HeldDeliveries } from '../partners/held-deliveries.js';
import type { ResponseStore } from '../responses/response-store.js';

/** Failures listed at most, newest first. */
const MAX_FAILURES = 500;

/**
 * Coordinators' API under /api, behind `Authorization: Bearer <ADMIN_TOKEN>`. It speaks in
 * pseudonymous ids only: a coordinator sees that a message failed and why, not to whom.
 */
export function createAdminRouter(deps: {
  token: string;
  statusLog: MessageStatusLog;
  flows: Pick<FlowRegistry, 'get' | 'versionsOf'>;
  responses: ResponseStore;
  /** Partner deliveries that stopped: listed, replayed, partners enabled. */
  deliveries: HeldDeliveries;
  /** Erasing a person's data, its tombstones, and what each flow holds until when. */
  privacy: Pick<Privacy, 'erasure' | 'retention'>;
  logger: Logger;
}): Router {
  const router = express.Router();
  router.use('/api', requireToken(deps.token, deps.logger));
  router.use(createPartnerDeliveriesRouter(deps.deliveries));
  router.use(createPrivacyRouter(deps.privacy));
  router.get('/api/deliveries/sms', async (req, res) => {
    const limit = z.coerce
      .number()
      .int()
      .min(1)
      .max(MAX_FAILURES)
      .default(100)
      .safeParse(req.query['limit']);
    if (!limit.success) {
      res.status(400).json({
        error: {
          code: 'invalid_input',
          message: `limit: a whole number from 1 to ${MAX_FAILURES}`,
        },
      });
      return;
    }
    const [counts, failures] = await Promise.all([
      deps.statusLog.counts(),
      deps.statusLog.recentFailures(limit.data),
    ]);
    res.set('Cache-Control', 'no-store').json({ counts, failures });
  });
  router.get('/api/flows/:id/responses', async (req, res) => {
    const query = exportQuery.safeParse(req.query);
    if (!query.success) {
      const fields = new Set(query.error.issues.map((issue) => issue.path[0]));
      const message = [
        ...(fields.has('format') ? [`format: ${EXPORT_FORMATS.join(' or ')}`] : []),
        ...(fields.has('since') ? [`since: ${SINCE_HELP}`] : []),
      ].join('; ');
      res.status(400).json({ error: { code: 'invalid_input', message } });
      return;
    }
    const flow = deps.flows.get(req.params.id);
    if (flow === undefined) {
      res
        .status(404)
        .json({ error: { code: 'flow_not_found', message: `no flow '${req.params.id}'` } });
      return;
    }
    const { format, since } = query.data;
    // Errors before the first byte (Redis down) still get a JSON error from the app's handler.
    const prepared = await prepareFlowExport({
      flow,
      versions: deps.flows.versionsOf(flow.id),
      responses: deps.responses,
      format,
      since,
    });
    res.set({
      'Content-Type': EXPORT_CONTENT_TYPES[format],
      'Content-Disposition': `attachment; filename="${prepared.fileName}"`,
      'Cache-Control': 'no-store',
    });
    try {
      const records = await prepared.write(res);
      deps.logger.info({ flow: flow.id, format, records }, 'responses exported');
    } catch (error) {
      // The response is already cut off, so the download cannot pass for a complete file.
      const code = (error as { code?: unknown }).code;
      deps.logger.warn({ flow: flow.id, format, code }, 'export stopped before the end');
    }
  });
  return router;
}

const exportQuery = z.object({
  format: z.enum(EXPORT_FORMATS).default('csv'),
  since: z
    .string()
    .optional()
    .transform((text, context) => {
      if (text === undefined) return undefined;
      const since = parseSince(text);
      if (since === undefined) context.addIssue({ code: 'custom', message: SINCE_HELP });
      return since;
    }),
});

function requireToken(token: string, logger: Logger) {
  const expected = Buffer.from(token);
  return (req: Request, res: Response, next: NextFunction): void => {
    const given = Buffer.from(/^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1] ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      logger.warn({ code: 'admin_token_invalid', route: req.path }, 'refused an admin request');
      res
        .status(401)
        .set('WWW-Authenticate', 'Bearer')
        .json({
          error: { code: 'unauthorised', message: 'send Authorization: Bearer <ADMIN_TOKEN>' },
        });
      return;
    }
    next();
  };
}
