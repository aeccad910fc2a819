import { pino, type Logger, type DestinationStream } from 'pino';
import { lineCensor } from './log-redaction.js';

/**
 * Standard output, written off the request path: lines logged while a write is under way are
 * gathered into the next one, instead of one blocking write per line (two lines a message).
 * pino writes what is left synchronously when the process exits.
 */
function standardOutput(): DestinationStream {
  return pino.destination({ dest: 1, sync: false });
}

export type { Logger };

/** Fields that can carry addresses or what people told us; `*` is any key at its level. */
const REDACTED_PATHS = [
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
  'From',
  'To',
  'Body',
  'email',
  '*.email',
  '*.phone',
  // What people answered, and what an invitation filled in (a name, say).
  'answers',
  '*.answers',
  'params',
  '*.params',
  // A participant key inside a job or an invitation.
  '*.key.address',
  'req.headers.authorization',
];

/**
 * Structured JSON logs. Code never logs phone numbers, Slack ids or message text; the
 * redaction list is a second line of defence for fields that carry them.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'carevoice' },
    // pino's own `redact` option does the same at many times the cost (see log-redaction.ts).
    formatters: { log: lineCensor(REDACTED_PATHS, '[redacted]') },
  };
  return pino(options, destination ?? standardOutput());
}

/** An error for the logs: its code and message, never the data it was about. */
export function errorFields(error: unknown): { code?: string; message: string } {
  if (!(error instanceof Error)) return { message: String(error) };
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? { code, message: error.message } : { message: error.message };
}
