import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A partner's check of a Standard Webhooks delivery, written from the spec alone and sharing
 * no code with carevoice's signer: decode the secret, refuse a timestamp outside the tolerance,
 * recompute the HMAC over `id.timestamp.body` and compare it in constant time with each `v1`
 * signature offered.
 */
export function receiverAccepts(
  secret: string,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  body: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  const id = String(headers['webhook-id'] ?? '');
  const timestamp = String(headers['webhook-timestamp'] ?? '');
  if (!/^\d+$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds)
    return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  return String(headers['webhook-signature'] ?? '')
    .split(' ')
    .some((entry) => {
      const [version, encoded] = entry.split(',');
      if (version !== 'v1' || encoded === undefined) return false;
      const given = Buffer.from(encoded, 'base64');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
}
