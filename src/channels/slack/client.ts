import type { webApi } from '@slack/bolt';
import type { Logger } from '../../logger.js';
import { loadBolt } from './bolt.js';
import { slackLibraryLogger } from './bolt-logger.js';
import type { SlackConfig } from './config.js';

export type SlackClient = webApi.WebClient;

export interface SlackClientOptions {
  /**
   * Retries of a failed call (network errors, 5xx, 429 after its Retry-After). Sends run inside
   * the participant's turn, so the default is short; `SLACK_API_RETRIES` sets it (tests use 0).
   */
  readonly retries?: number | undefined;
  /** Where the Web API is; tests may point it elsewhere (nock intercepts the default too). */
  readonly slackApiUrl?: string | undefined;
  /** How long one call may take. */
  readonly timeoutMs?: number | undefined;
  readonly logger?: Logger | undefined;
}

const DEFAULT_RETRIES = 2;
const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * A Web API client for the bot token with a bounded retry policy. The library's default
 * retries for about 30 minutes, which would hold a person's next message that long.
 */
export function createSlackClient(
  config: Pick<SlackConfig, 'botToken'>,
  options: SlackClientOptions = {},
): SlackClient {
  const retries = options.retries ?? DEFAULT_RETRIES;
  return new (loadBolt().webApi.WebClient)(config.botToken, {
    retryConfig: { retries, factor: 2, minTimeout: 1_000, maxTimeout: 4_000, randomize: true },
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    ...(options.slackApiUrl === undefined ? {} : { slackApiUrl: options.slackApiUrl }),
    ...(options.logger === undefined
      ? {}
      : { logger: slackLibraryLogger(options.logger, 'web-api') }),
  });
}
