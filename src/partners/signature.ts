import { createHmac } from 'node:crypto';

/** The three Standard Webhooks headers sent with every attempt. */
export type WebhookHeaders = {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  readonly 'webhook-signature': string;
};

const SECRET_PREFIX = 'whsec_';
/** The spec asks for 24 to 64 random bytes. */
const MIN_SECRET_BYTES = 24;
const MAX_SECRET_BYTES = 64;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export class WebhookSecretError extends Error {
  readonly code = 'partner_secret_invalid';
  constructor(message: string) {
    super(message);
    this.name = 'WebhookSecretError';
  }
}

/**
 * The signing keys in a partner's secret setting. The setting holds one `whsec_<base64>`
 * secret, or several separated by spaces while a secret is being rotated (the first is the
 * new one; every attempt is signed with each). The base64 part is always decoded, with or
 * without the prefix, because that is how every Standard Webhooks verifier reads a secret:
 * taking a bare string as raw bytes would give signatures no partner library accepts.
 */
export function webhookSigningKeys(setting: string): Buffer[] {
  const secrets = setting.trim().split(/\s+/);
  return secrets.map((secret, i) => {
    const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
    const which = secrets.length > 1 ? `secret ${i + 1}` : 'the secret';
    if (!BASE64.test(encoded) || encoded.length % 4 !== 0)
      throw new WebhookSecretError(`${which} is not whsec_ followed by base64`);
    const key = Buffer.from(encoded, 'base64');
    if (key.length < MIN_SECRET_BYTES || key.length > MAX_SECRET_BYTES)
      throw new WebhookSecretError(
        `${which} holds ${key.length} bytes; use ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES}, e.g. whsec_$(openssl rand -base64 32)`,
      );
    return key;
  });
}

/** What is wrong with a secret setting, for checks at start; `undefined` when it can sign. */
export function webhookSecretProblem(setting: string): string | undefined {
  try {
    webhookSigningKeys(setting);
    return undefined;
  } catch (error) {
    return error instanceof WebhookSecretError ? error.message : String(error);
  }
}

/**
 * Signs one attempt: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` per key, space-separated.
 * The timestamp is the attempt's own, in whole seconds, so a partner can refuse replays.
 * Throws `WebhookSecretError` when the setting holds no usable secret.
 */
export function signWebhook(
  secretSetting: string,
  message: { readonly id: string; readonly body: string },
  now: Date,
): WebhookHeaders {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const signed = `${message.id}.${timestamp}.${message.body}`;
  const signatures = webhookSigningKeys(secretSetting).map(
    (key) => `v1,${createHmac('sha256', key).update(signed).digest('base64')}`,
  );
  return {
    'webhook-id': message.id,
    'webhook-timestamp': timestamp,
    'webhook-signature': signatures.join(' '),
  };
}
