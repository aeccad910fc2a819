import type { Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from '../../logger.js';
import { loadBolt } from './bolt.js';

/** Their first words say what happened; the rest can quote a request, so it is never logged. */
const MAX_MESSAGE_LENGTH = 160;

/**
 * Bolt's and the Web API client's log lines, passed to our logger. Only the first string of
 * a line is kept (cut at its first line break), with the codes of any errors beside it: the
 * rest can hold a request, with its token and what people wrote (the client's "http request
 * failed" line appends the whole failed request). Debug lines print bodies and are dropped.
 */
export function slackLibraryLogger(logger: Logger, source: 'bolt' | 'web-api'): SlackLogger {
  const write =
    (level: 'debug' | 'warn' | 'error') =>
    (...parts: unknown[]): void => {
      logger[level]({ source, code: codeOf(parts) }, headline(parts));
    };
  return {
    debug: () => undefined,
    // Their info lines are routine ("retrying", "stored response sent"): debug for us.
    info: write('debug'),
    warn: write('warn'),
    error: write('error'),
    setLevel: () => undefined,
    getLevel: () => loadBolt().LogLevel.INFO,
    setName: () => undefined,
  };
}

function headline(parts: readonly unknown[]): string {
  const first = parts.find((part): part is string => typeof part === 'string');
  if (first === undefined) return 'slack library message';
  const line = first.split('\n')[0] ?? '';
  return line.length > MAX_MESSAGE_LENGTH ? `${line.slice(0, MAX_MESSAGE_LENGTH)}…` : line;
}

function codeOf(parts: readonly unknown[]): string | undefined {
  for (const part of parts) {
    if (part instanceof Error && 'code' in part && typeof part.code === 'string') return part.code;
  }
  return undefined;
}
