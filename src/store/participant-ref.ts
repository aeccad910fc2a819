import { createHmac } from 'node:crypto';
import type { ParticipantKey } from './session-store.js';

/**
 * A keyed hash of a participant's channel and address. Redis keys, job ids and logs use it
 * instead of phone numbers or Slack ids; without the key it cannot be turned back.
 */
export function participantRef(key: ParticipantKey, secret: string): string {
  return createHmac('sha256', secret)
    .update(`${key.channel}:${key.address}`)
    .digest('base64url')
    .slice(0, 22);
}
