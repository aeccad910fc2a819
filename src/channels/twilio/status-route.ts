import express, { type Router } from 'express';
import { z } from 'zod';
import type { TwilioConfig } from '../../config.js';
import type { Logger } from '../../logger.js';
import type { ParticipantKey } from '../../store/session-store.js';
import { fromTwilioAddress } from './addresses.js';
import { twilioErrorRule } from './error-codes.js';
import { isMessageStatus, MESSAGE_SID, type MessageStatusLog } from './message-status.js';
import { verifyTwilioSignature } from './signature.js';

export interface TwilioStatusRouteDeps {
  readonly config: TwilioConfig;
  readonly statusLog: MessageStatusLog;
  /** Twilio reported that the person has unsubscribed (21610): record the opt-out. */
  readonly onOptedOut: (key: ParticipantKey) => Promise<void>;
  readonly logger: Logger;
}

/** Twilio's callbacks are a few hundred bytes; a larger body is not from Twilio. */
const BODY_LIMIT = '64kb';

/**
 * The parameters carevoice reads. Twilio adds others without notice (and signs over all of
 * them), so unknown ones are accepted. A status carevoice does not know yet is accepted and
 * ignored, so a new Twilio status cannot turn every callback into a 400.
 */
const statusCallback = z.looseObject({
  MessageSid: z.string().regex(MESSAGE_SID),
  MessageStatus: z.string().regex(/^[a-z_]{1,40}$/),
  // Empty when there is no error, on some callbacks.
  ErrorCode: z
    .string()
    .regex(/^\d{0,6}$/)
    .optional(),
  To: z.string().min(1).max(100),
  From: z.string().max(100).optional(),
});

/**
 * `POST /twilio/status`: Twilio's status callbacks for the messages carevoice sent (the
 * sender sets `StatusCallback` to this route under PUBLIC_URL). Answers 204; Twilio reads
 * nothing from the answer.
 */
export function createTwilioStatusRouter(deps: TwilioStatusRouteDeps): Router {
  const { statusLog, logger } = deps;
  const router = express.Router();
  router.post(
    '/twilio/status',
    express.urlencoded({ extended: false, limit: BODY_LIMIT }),
    verifyTwilioSignature(deps.config, logger),
    async (req, res) => {
      const parsed = statusCallback.safeParse(req.body);
      if (!parsed.success) {
        logger.warn(
          {
            code: 'invalid_input',
            route: req.path,
            // Names of the fields at fault, never their values.
            fields: parsed.error.issues.map((issue) => issue.path.join('.')),
          },
          'refused a Twilio status callback',
        );
        res.status(400).type('text/plain').send('Not a Twilio status callback.');
        return;
      }
      const { MessageSid: sid, MessageStatus: status, ErrorCode, To } = parsed.data;
      const errorCode = ErrorCode === undefined || ErrorCode === '' ? undefined : Number(ErrorCode);
      if (!isMessageStatus(status)) {
        logger.info({ code: 'status_unknown', sid, status }, 'ignored an unknown message status');
        res.status(204).end();
        return;
      }
      try {
        const change = await statusLog.updateStatus(sid, status, errorCode);
        const rule = twilioErrorRule(errorCode);
        if (errorCode !== undefined) {
          logger.warn(
            {
              code: 'message_not_delivered',
              sid,
              status,
              twilioCode: errorCode,
              explain: rule?.explain,
            },
            'Twilio reported a delivery problem',
          );
        } else {
          logger.debug({ sid, status, change }, 'message status');
        }
        if (rule?.optOut === true) await optOut(deps, To, sid);
      } catch (error) {
        logger.error(
          { code: errorCodeOf(error), sid },
          'could not record a message status; answering 503',
        );
        res.status(503).type('text/plain').send('Try again later.');
        return;
      }
      res.status(204).end();
    },
  );
  return router;
}

/** The callback's `To` is the person the message went to. */
async function optOut(deps: TwilioStatusRouteDeps, to: string, sid: string): Promise<void> {
  const key = fromTwilioAddress(to);
  if (key === undefined) {
    deps.logger.warn(
      { code: 'invalid_input', sid, fields: ['To'] },
      'opt-out for an unreadable address',
    );
    return;
  }
  await deps.onOptedOut(key);
  deps.logger.info(
    { code: 'opted_out', sid, channel: key.channel },
    'Twilio says the person has unsubscribed; opt-out recorded',
  );
}

function errorCodeOf(error: unknown): string {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : 'status_update_failed';
}
