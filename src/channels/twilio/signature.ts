import type { NextFunction, Request, RequestHandler, Response } from 'express';
import twilio from 'twilio';
import type { TwilioConfig } from '../../config.js';
import type { Logger } from '../../logger.js';

/**
 * Refuses any request Twilio did not sign. The URL signed is rebuilt from PUBLIC_URL and the
 * path as received, never from the request's Host or X-Forwarded-* headers, which a caller
 * controls. Run after `express.urlencoded`, so every parameter Twilio sent is signed over.
 */
export function verifyTwilioSignature(config: TwilioConfig, logger: Logger): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const signature = req.get('x-twilio-signature');
    const params = formParams(req.body);
    const url = `${config.publicUrl}${req.originalUrl}`;
    if (
      signature === undefined ||
      params === undefined ||
      !twilio.validateRequest(config.authToken, signature, url, params)
    ) {
      const code = signature === undefined ? 'signature_missing' : 'signature_invalid';
      logger.warn({ code, route: req.path }, 'refused a Twilio webhook');
      res.status(403).type('text/plain').send('This request is not signed by Twilio.');
      return;
    }
    next();
  };
}

/** A urlencoded body as string pairs; anything else cannot have been signed by Twilio. */
function formParams(body: unknown): Record<string, string> | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const entries = Object.entries(body as Record<string, unknown>);
  return entries.every(([, value]) => typeof value === 'string')
    ? Object.fromEntries(entries as [string, string][])
    : undefined;
}
