import { timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { MessageStatusLog } from '../channels/twilio/message-status.js';
import type { Logger } from '../logger.js';

/** Failures listed at most, newest first. */
const MAX_FAILURES = 500;

/**
 * Coordinators' API under /api, behind `Authorization: Bearer <ADMIN_TOKEN>`. It speaks in
 * pseudonymous ids only: a coordinator sees that a message failed and why, not to whom.
 */
export function createAdminRouter(deps: {
  token: string;
  statusLog: MessageStatusLog;
  logger: Logger;
}): Router {
  const router = express.Router();
  router.use('/api', requireToken(deps.token, deps.logger));
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
  return router;
}

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
