import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Code never logs phone numbers, Slack ids or message text; the
 * redaction list is a second line of defence for fields that carry them.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'carevoice' },
    redact: {
      paths: [
        'address',
        'text',
        'body',
        'from',
        'to',
        'phone',
        '*.address',
        '*.text',
        '*.body',
        '*.From',
        '*.To',
        '*.Body',
        'req.headers.authorization',
      ],
      censor: '[redacted]',
    },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
