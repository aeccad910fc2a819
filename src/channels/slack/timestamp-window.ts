import type { RequestHandler } from 'express';
import type { Logger } from '../../logger.js';

/** Slack's rule: a request signed more than five minutes from now is refused, either way. */
export const TIMESTAMP_WINDOW_SECONDS = 300;
const SIGNATURE = /^v0=[0-9a-f]{64}$/;
const TIMESTAMP = /^\d{1,12}$/;

/**
 * Runs before Bolt's own check, which verifies the signature but refuses only timestamps too
 * far in the past. A request stamped in the future (a replayed capture with a skewed clock,
 * or a forgery timed to outlive the window) is refused here too, as are requests without the
 * headers. Refusals are 401 with an empty body, as Bolt's are; the log names the reason only.
 */
export function refuseOutsideTimestampWindow(clock: () => Date, logger: Logger): RequestHandler {
  return (req, res, next) => {
    const timestamp = req.get('x-slack-request-timestamp');
    const signature = req.get('x-slack-signature');
    const reason =
      timestamp === undefined || signature === undefined
        ? 'signature_headers_missing'
        : !TIMESTAMP.test(timestamp) || !SIGNATURE.test(signature)
          ? 'signature_headers_malformed'
          : Math.abs(Math.floor(clock().getTime() / 1000) - Number(timestamp)) >
              TIMESTAMP_WINDOW_SECONDS
            ? 'timestamp_outside_window'
            : undefined;
    if (reason === undefined) {
      next();
      return;
    }
    logger.warn({ code: 'signature_invalid', reason, route: req.path }, 'refused a Slack request');
    res.status(401).end();
  };
}
