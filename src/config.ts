import { z } from 'zod';
import { blankAsUnset, parseSettings } from './env.js';
import { readSlackConfig, type SlackConfig } from './channels/slack/config.js';
import { readSafeguardingConfig, type SafeguardingConfig } from './safeguarding/config.js';
import { MAX_CONTACT_CAP_DAYS } from './flow/schema.js';

/** Every setting, with its default and a line of help; read once at start and frozen. */
const envSchema = z.object({
  NODE_ENV: z
    .enum(['development', 'production', 'test'])
    .default('development')
    .describe('production refuses the in-memory store'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000).describe('port to listen on'),
  HOST: z.string().min(1).default('127.0.0.1').describe('address to bind; 0.0.0.0 in a container'),
  PUBLIC_URL: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe('the public base URL providers call, e.g. https://carevoice.example.org'),
  REDIS_URL: z
    .url({ protocol: /^rediss?$/ })
    .optional()
    .describe('redis:// or rediss:// URL; absent means the embedded in-memory mode'),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,32}$/, 'use up to 32 letters, digits, colons, hyphens or underscores')
    .default('cv:')
    .describe('prefix of every Redis key, so deployments can share a Redis'),
  PSEUDONYM_KEY: z
    .string()
    .min(32, 'use at least 32 random characters, e.g. from: openssl rand -base64 32')
    .optional()
    .describe('secret for the keyed hashes that stand in for phone numbers and Slack ids'),
  FLOWS_DIR: z.string().min(1).default('flows').describe('folder of flow files'),
  LOCALES_DIR: z
    .string()
    .min(1)
    .default('locales')
    .describe('folder of <language>/<namespace>.json translations'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('log detail'),
  SHUTDOWN_GRACE_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(10_000)
    .describe('how long to let requests finish on SIGTERM'),
  TWILIO_ACCOUNT_SID: z
    .string()
    .regex(/^AC[0-9a-fA-F]{32}$/, 'an account SID starts with AC and has 32 hex digits')
    .optional()
    .describe('Twilio account that owns the number'),
  TWILIO_AUTH_TOKEN: z
    .string()
    .min(16, 'paste the whole auth token from the Twilio console')
    .optional()
    .describe('verifies that webhooks come from Twilio, and signs REST calls'),
  TWILIO_FROM: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, 'write the number in E.164 form, e.g. +447700900123')
    .optional()
    .describe('the Twilio number messages are sent from'),
  TWILIO_MESSAGING_SERVICE_SID: z
    .string()
    .regex(/^MG[0-9a-fA-F]{32}$/, 'a Messaging Service SID starts with MG and has 32 hex digits')
    .optional()
    .describe('send through a Messaging Service instead of one number'),
  SMS_FLOOD_LIMIT: z.coerce
    .number()
    .int()
    .min(1)
    .default(12)
    .describe('inbound messages a minute from one number before it is asked to slow down'),
  SMS_OUTBOUND_LIMIT: z.coerce
    .number()
    .int()
    .min(1)
    .default(40)
    .describe('messages an hour to one respondent, a stop for reply loops'),
  LAUNCH_RATE_PER_SECOND: z.coerce
    .number()
    .positive()
    .max(1000)
    .default(1)
    .describe(
      'invitation messages a second per sender (SMS number or service, WhatsApp, Slack); an SMS counts each segment, as Twilio does',
    ),
  CONTACT_CAP_DAYS: z.coerce
    .number()
    .int()
    .min(0)
    .max(MAX_CONTACT_CAP_DAYS)
    .default(30)
    .describe(
      'days after an invitation in which no other flow invites the same person (0: no cap); a flow may set contact_cap_days',
    ),
  ADMIN_TOKEN: z
    .string()
    .min(24, 'use at least 24 random characters')
    .optional()
    .describe("bearer token for the coordinators' API under /api (off when unset)"),
  WEB_CHAT: z
    .enum(['on', 'off'])
    .optional()
    .describe('serve the /chat try-out page (default: on, except in production)'),
  PARTNER_HTTP_HOSTS: z
    .string()
    .regex(
      /^\s*[A-Za-z0-9.:[\]-]+(\s*,\s*[A-Za-z0-9.:[\]-]+)*\s*$/,
      'list host names separated by commas',
    )
    .optional()
    .describe(
      'for local testing only: hosts partner webhooks may reach over plain http and on loopback, e.g. 127.0.0.1,localhost',
    ),
  PARTNER_FILES_DIR: z
    .string()
    .min(1)
    .default('partner-files')
    .describe('folder for partners who take files (a flow names the file inside it)'),
});

export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly port: number;
  readonly host: string;
  readonly publicUrl: string | undefined;
  readonly redisUrl: string | undefined;
  readonly redisPrefix: string;
  /** Secret for participant hashes; a fixed development value when unset outside production. */
  readonly pseudonymKey: string;
  readonly flowsDir: string;
  readonly localesDir: string;
  readonly logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  readonly shutdownGraceMs: number;
  readonly webChat: boolean;
  /** Bearer token for /api; the API is not served without one. */
  readonly adminToken: string | undefined;
  /** Present when Twilio is set up: SMS and WhatsApp are then served at /twilio/messages. */
  readonly twilio: TwilioConfig | undefined;
  readonly smsFloodLimitPerMinute: number;
  readonly smsOutboundLimitPerHour: number;
  /** Invitation messages a second per sender; SMS segments each count. */
  readonly launchRatePerSecond: number;
  /** Days in which one invitation rules out another from any flow (0: no cap). */
  readonly contactCapDays: number;
  /** Present when Slack is set up: direct messages are then served at /slack/events. */
  readonly slack: SlackConfig | undefined;
  /** Signposting numbers and the alert webhook for safeguarding concerns. */
  readonly safeguarding: SafeguardingConfig;
  /** `PARTNER_HTTP_HOSTS`: hosts partner webhooks may reach over http and on loopback. */
  readonly partnerHttpHosts: readonly string[];
  /** Folder the JSONL files of `file:` partners are written in. */
  readonly partnerFilesDir: string;
}

export interface TwilioConfig {
  readonly accountSid: string;
  readonly authToken: string;
  /** Exactly one of the two is set. */
  readonly from: string | undefined;
  readonly messagingServiceSid: string | undefined;
  /** The base URL Twilio calls; signatures are checked against it, never the request's Host. */
  readonly publicUrl: string;
}

const TWILIO_VARIABLES = [
  'TWILIO_ACCOUNT_SID',
  'TWILIO_AUTH_TOKEN',
  'TWILIO_FROM',
  'TWILIO_MESSAGING_SERVICE_SID',
];

/** Only for trying carevoice: production refuses to start without its own key. */
const DEVELOPMENT_PSEUDONYM_KEY = 'carevoice-development-only-pseudonym-key';

export class ConfigError extends Error {
  readonly code = 'config_invalid';
  constructor(readonly problems: readonly string[]) {
    super(`carevoice cannot start:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; every problem is reported at once, one line each, with its help. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const blanked = blankAsUnset(env);
  const { data: e, problems } = parseSettings(envSchema, blanked);
  if (blanked['NODE_ENV'] === 'production' && blanked['REDIS_URL'] === undefined) {
    problems.push(
      'REDIS_URL: required when NODE_ENV=production; the in-memory store loses every conversation on restart',
    );
  }
  if (blanked['NODE_ENV'] === 'production' && blanked['PSEUDONYM_KEY'] === undefined) {
    problems.push(
      'PSEUDONYM_KEY: required when NODE_ENV=production; without a secret, hashed phone numbers can be reversed',
    );
  }
  problems.push(...twilioProblems(blanked));
  const slackSettings = readSlackConfig(blanked);
  problems.push(...slackSettings.problems);
  const safeguardingSettings = readSafeguardingConfig(blanked);
  problems.push(...safeguardingSettings.problems);
  if (e === undefined || safeguardingSettings.safeguarding === undefined || problems.length > 0)
    throw new ConfigError(problems);
  return Object.freeze({
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    pseudonymKey: e.PSEUDONYM_KEY ?? DEVELOPMENT_PSEUDONYM_KEY,
    flowsDir: e.FLOWS_DIR,
    localesDir: e.LOCALES_DIR,
    logLevel: e.LOG_LEVEL,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    webChat: e.WEB_CHAT === undefined ? e.NODE_ENV !== 'production' : e.WEB_CHAT === 'on',
    twilio:
      e.TWILIO_ACCOUNT_SID === undefined ||
      e.TWILIO_AUTH_TOKEN === undefined ||
      e.PUBLIC_URL === undefined
        ? undefined
        : {
            accountSid: e.TWILIO_ACCOUNT_SID,
            authToken: e.TWILIO_AUTH_TOKEN,
            from: e.TWILIO_FROM,
            messagingServiceSid: e.TWILIO_MESSAGING_SERVICE_SID,
            publicUrl: e.PUBLIC_URL.replace(/\/+$/, ''),
          },
    adminToken: e.ADMIN_TOKEN,
    smsFloodLimitPerMinute: e.SMS_FLOOD_LIMIT,
    smsOutboundLimitPerHour: e.SMS_OUTBOUND_LIMIT,
    launchRatePerSecond: e.LAUNCH_RATE_PER_SECOND,
    contactCapDays: e.CONTACT_CAP_DAYS,
    slack: slackSettings.slack,
    safeguarding: safeguardingSettings.safeguarding,
    partnerFilesDir: e.PARTNER_FILES_DIR,
    partnerHttpHosts: (e.PARTNER_HTTP_HOSTS ?? '')
      .split(',')
      .map((host) => host.trim())
      .filter((host) => host !== ''),
  });
}

/**
 * Twilio is all or nothing: a half-set-up account would mean webhooks that cannot be verified,
 * and carevoice never accepts an unverified webhook.
 */
function twilioProblems(env: Readonly<Record<string, string | undefined>>): string[] {
  if (!TWILIO_VARIABLES.some((name) => env[name] !== undefined)) return [];
  const problems: string[] = [];
  for (const name of ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'PUBLIC_URL']) {
    if (env[name] === undefined)
      problems.push(`${name}: required when Twilio is set up (any TWILIO_ variable is set)`);
  }
  const senders = ['TWILIO_FROM', 'TWILIO_MESSAGING_SERVICE_SID'].filter(
    (name) => env[name] !== undefined,
  );
  if (senders.length !== 1)
    problems.push(
      'TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID: set exactly one, the sender of outgoing messages',
    );
  return problems;
}
