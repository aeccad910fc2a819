import { createHmac } from 'node:crypto';
import type { ParticipantKey } from './session-store.js';

/**
 * Refs already worked out, by key object. A message's key travels from its channel through
 * the participant queue, the session store and the rate limiter, each needing the ref: the
 * HMAC is computed once per message rather than at each step. Weak, so a key is forgotten
 * with its message; the secret is kept beside the ref so another secret never gets it.
 */
const known = new WeakMap<ParticipantKey, { readonly secret: string; readonly ref: string }>();

/**
 * A keyed hash of a participant's channel and address. Redis keys, job ids and logs use it
 * instead of phone numbers or Slack ids; without the key it cannot be turned back.
 */
export function participantRef(key: ParticipantKey, secret: string): string {
  const cached = known.get(key);
  if (cached?.secret === secret) return cached.ref;
  const ref = createHmac('sha256', secret)
    .update(`${key.channel}:${key.address}`)
    .digest('base64url')
    .slice(0, 22);
  known.set(key, { secret, ref });
  return ref;
}
