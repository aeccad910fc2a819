import { z } from 'zod';

/**
 * What a failed Web API call means for us:
 * - `unreachable`: this person cannot get a DM from the app (gone, deactivated, a bot);
 *   retrying will not help, and it is not an opt-out either (they did not choose it);
 * - `setup`: our token, scopes or app settings are wrong; a coordinator must act;
 * - `busy`: rate limited, or Slack is down or unreachable; the same call may work later;
 * - `refused`: anything else Slack refused; not retried.
 */
export type SlackFailureKind = 'unreachable' | 'setup' | 'busy' | 'refused';

export interface SlackFailure {
  readonly kind: SlackFailureKind;
  /** Slack's error string (`user_not_found`) or the client's code; never the request. */
  readonly code: string;
  readonly retryable: boolean;
}

/** Slack's `error` strings by what they mean for us (https://docs.slack.dev/reference/methods). */
const PLATFORM_ERRORS: Readonly<Record<string, SlackFailureKind>> = {
  user_not_found: 'unreachable',
  users_not_found: 'unreachable',
  user_disabled: 'unreachable',
  account_inactive: 'unreachable',
  cannot_dm_bot: 'unreachable',
  user_not_visible: 'unreachable',
  is_bot: 'unreachable',
  channel_not_found: 'unreachable',
  messages_tab_disabled: 'setup',
  not_authed: 'setup',
  invalid_auth: 'setup',
  token_revoked: 'setup',
  token_expired: 'setup',
  missing_scope: 'setup',
  not_in_channel: 'setup',
  no_permission: 'setup',
  ratelimited: 'busy',
  fatal_error: 'busy',
  internal_error: 'busy',
  service_unavailable: 'busy',
  request_timeout: 'busy',
};

/** The web-api client's own error codes for failures that were not Slack saying no. */
const CLIENT_ERRORS: Readonly<Record<string, SlackFailureKind>> = {
  slack_webapi_request_error: 'busy',
  slack_webapi_rate_limited_error: 'busy',
  slack_webapi_http_error: 'busy',
};

const platformError = z.object({
  code: z.literal('slack_webapi_platform_error'),
  data: z.object({ error: z.string() }),
});
const codedError = z.object({ code: z.string() });

/** Sorts a Web API failure; the error's message is never used (it can quote the request). */
export function classifySlackFailure(error: unknown): SlackFailure {
  const platform = platformError.safeParse(error);
  if (platform.success) {
    const code = platform.data.data.error;
    const kind = PLATFORM_ERRORS[code] ?? 'refused';
    return { kind, code, retryable: kind === 'busy' };
  }
  const coded = codedError.safeParse(error);
  const code = coded.success ? coded.data.code : 'unknown_error';
  const kind = CLIENT_ERRORS[code] ?? 'refused';
  return { kind, code, retryable: kind === 'busy' };
}

/**
 * Thrown when Slack could not take a message and nothing was sent, so a retry cannot repeat
 * one. It carries no cause: the client's errors can hold the request, and so what was said.
 */
export class SlackSendError extends Error {
  readonly code = 'slack_send_failed';
  constructor(readonly failure: SlackFailure) {
    super(`Slack did not take the message (${failure.code}); nothing was sent`);
    this.name = 'SlackSendError';
  }
}

/** What each kind of failure asks of whoever reads the log. */
const ADVICE: Readonly<Record<SlackFailureKind, string>> = {
  unreachable: 'this person cannot get a direct message from the app (left, deactivated or a bot)',
  setup:
    'Slack refused the app: check SLACK_BOT_TOKEN, the scopes in slack-app-manifest.yaml and that the App Home messages tab is on',
  busy: 'Slack was busy or unreachable',
  refused: 'Slack refused the call',
};

/** One log line for a failed call, at the level its kind deserves; never the request. */
export function logSlackFailure(
  logger: {
    info(fields: object, message: string): void;
    warn(fields: object, message: string): void;
    error(fields: object, message: string): void;
  },
  failure: SlackFailure,
  fields: Readonly<Record<string, unknown>>,
): void {
  const line = { code: failure.code, kind: failure.kind, ...fields };
  const message = ADVICE[failure.kind];
  if (failure.kind === 'setup') logger.error(line, message);
  else if (failure.kind === 'unreachable') logger.info(line, message);
  else logger.warn(line, message);
}
