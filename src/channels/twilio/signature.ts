import type { NextFunction, Request, RequestHandler, Response } from 'express';
// Twilio's own check, from its webhooks module alone: the SDK's entry point would load the
// whole REST client (and its HTTP stack) into every server, for a function of node:crypto.
import { validateRequest } from 'twilio/lib/webhooks/webhooks.js';
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
      !validateRequest(config.authToken, signature, url, params)
    ) {
      const code = signature === undefined ? 'signature_missing' : 'signature_invalid';
      logger.warn({ code, route: req.path }, 'refused a Twilio webhook');
      res.status(403).type('text/plain').send('This request is not signed by Twilio.');
      return;
    }
    next();
  };
}

/** A urlencoded body of string pairs (checked, not copied); anything else cannot have been signed by Twilio. */
function formParams(body: unknown): Readonly<Record<string, string>> | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  for (const value of Object.values(body)) if (typeof value !== 'string') return undefined;
  return body as Readonly<Record<string, string>>;
}
