import { z } from 'zod';
import { blankAsUnset, parseSettings } from '../env.js';
import { webhookSecretProblem } from '../partners/signature.js';
import { UK_SIGNPOSTING, type SignpostingContacts } from './signposting.js';

/** A number as people dial it: digits, spaces, and + ( ) - only. */
const dialled = z
  .string()
  .regex(/^\+?[0-9][0-9 ()-]{1,24}$/, 'write a number as people dial it, e.g. 0300 123 4567');

/** The safeguarding settings, each with its line of help (the same shape as `src/config.ts`). */
export const safeguardingEnvSchema = z.object({
  SAFEGUARDING_EMERGENCY_NUMBER: dialled
    .default(UK_SIGNPOSTING.emergency)
    .describe('emergency number given when a message raises a safeguarding concern'),
  SAFEGUARDING_NHS_NUMBER: dialled
    .default(UK_SIGNPOSTING.nhs)
    .describe('urgent health advice line in the signposting reply (NHS 111)'),
  SAFEGUARDING_SAMARITANS_NUMBER: dialled
    .default(UK_SIGNPOSTING.samaritans)
    .describe('listening line in the signposting reply (Samaritans, free, any time)'),
  SAFEGUARDING_LOCAL_LINE: dialled
    .optional()
    .describe(
      "the council's adult or children's safeguarding line; left out of the reply when unset",
    ),
  ALERT_WEBHOOK_URL: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe('where to POST a signed alert when a message raises a concern (no personal data)'),
  ALERT_WEBHOOK_SECRET: z
    .string()
    .min(1)
    .optional()
    .describe('whsec_ signing secret of the alert webhook (Standard Webhooks)'),
});

export interface SafeguardingConfig {
  readonly contacts: SignpostingContacts;
  /** Present when coordinators take concern alerts on a webhook of their own. */
  readonly alertWebhook: { readonly url: string; readonly secret: string } | undefined;
}

/** Reads the safeguarding variables (blank counts as unset); one line per problem. */
export function readSafeguardingConfig(env: Readonly<Record<string, string | undefined>>): {
  readonly safeguarding: SafeguardingConfig | undefined;
  readonly problems: readonly string[];
} {
  const names = Object.keys(
    safeguardingEnvSchema.shape,
  ) as (keyof typeof safeguardingEnvSchema.shape)[];
  const values = blankAsUnset(Object.fromEntries(names.map((name) => [name, env[name]])));
  const { data, problems } = parseSettings(safeguardingEnvSchema, values);
  const url = values['ALERT_WEBHOOK_URL'];
  const secret = values['ALERT_WEBHOOK_SECRET'];
  const secretProblem = secret === undefined ? undefined : webhookSecretProblem(secret);
  if (secretProblem !== undefined) problems.push(`ALERT_WEBHOOK_SECRET: ${secretProblem}`);
  if ((url === undefined) !== (secret === undefined))
    problems.push(
      'ALERT_WEBHOOK_URL and ALERT_WEBHOOK_SECRET: set both or neither; alerts are always signed',
    );
  if (data === undefined || problems.length > 0) return { safeguarding: undefined, problems };
  return {
    safeguarding: {
      contacts: {
        emergency: data.SAFEGUARDING_EMERGENCY_NUMBER,
        nhs: data.SAFEGUARDING_NHS_NUMBER,
        samaritans: data.SAFEGUARDING_SAMARITANS_NUMBER,
        local: data.SAFEGUARDING_LOCAL_LINE,
      },
      alertWebhook:
        data.ALERT_WEBHOOK_URL === undefined || data.ALERT_WEBHOOK_SECRET === undefined
          ? undefined
          : { url: data.ALERT_WEBHOOK_URL, secret: data.ALERT_WEBHOOK_SECRET },
    },
    problems,
  };
}
