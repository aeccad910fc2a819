import { z } from 'zod';
import { blankAsUnset, parseSettings } from '../../env.js';

/** Present when Slack is set up: direct messages are then served at `POST /slack/events`. */
export interface SlackConfig {
  /** The bot token (`xoxb-…`) from the app's "OAuth & Permissions" page. */
  readonly botToken: string;
  /** Verifies that requests come from Slack ("Basic Information" → "Signing Secret"). */
  readonly signingSecret: string;
  /** Channel ID for coordinators' operational alerts; no personal data is ever posted there. */
  readonly alertChannel: string | undefined;
  /** Retries of a failed Web API call; undefined keeps the client's default (see client.ts). */
  readonly apiRetries: number | undefined;
}

/** The Slack settings, each with its line of help (the same shape as `src/config.ts`). */
export const slackEnvSchema = z.object({
  SLACK_BOT_TOKEN: z
    .string()
    .regex(/^xoxb-[A-Za-z0-9-]{10,}$/, 'paste the bot token, which starts with xoxb-')
    .optional()
    .describe('the Slack app bot token; with SLACK_SIGNING_SECRET it turns the Slack channel on'),
  SLACK_SIGNING_SECRET: z
    .string()
    .regex(/^[0-9a-f]{16,}$/, 'paste the signing secret from the app\'s "Basic Information" page')
    .optional()
    .describe('verifies that requests to /slack/events come from Slack'),
  SLACK_ALERT_CHANNEL: z
    .string()
    .regex(/^[CG][A-Z0-9]{6,}$/, 'use the channel ID (e.g. C0123456789), not its name')
    .optional()
    .describe('channel for operational alerts (never personal data); invite the app to it'),
  SLACK_API_RETRIES: z.coerce
    .number()
    .int()
    .min(0)
    .max(5)
    .optional()
    .describe('retries of a failed Slack Web API call (default 2; 0 turns them off)'),
});

/**
 * Reads the SLACK_ variables (blank counts as unset): the config, or undefined when Slack is
 * not set up, and one line per problem. Slack is all or nothing, like Twilio: a token without
 * a signing secret would mean requests that cannot be verified, and carevoice never acts on
 * an unverified request.
 */
export function readSlackConfig(env: Readonly<Record<string, string | undefined>>): {
  readonly slack: SlackConfig | undefined;
  readonly problems: readonly string[];
} {
  const names = Object.keys(slackEnvSchema.shape) as (keyof typeof slackEnvSchema.shape)[];
  const values = blankAsUnset(Object.fromEntries(names.map((name) => [name, env[name]])));
  const { data, problems } = parseSettings(slackEnvSchema, values);
  if (names.some((name) => values[name] !== undefined)) {
    for (const name of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET'] as const) {
      if (values[name] === undefined)
        problems.push(`${name}: required when Slack is set up (any SLACK_ variable is set)`);
    }
  }
  if (data === undefined || problems.length > 0) return { slack: undefined, problems };
  const { SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_ALERT_CHANNEL, SLACK_API_RETRIES } = data;
  const slack =
    SLACK_BOT_TOKEN === undefined || SLACK_SIGNING_SECRET === undefined
      ? undefined
      : {
          botToken: SLACK_BOT_TOKEN,
          signingSecret: SLACK_SIGNING_SECRET,
          alertChannel: SLACK_ALERT_CHANNEL,
          apiRetries: SLACK_API_RETRIES,
        };
  return { slack, problems };
}
