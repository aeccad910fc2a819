import { SLACK_USER_ID } from '../channels/slack/payloads.js';
import { normalisePhone } from '../launch/address.js';
import type { ParticipantKey } from '../store/session-store.js';

/** The channels a person can be erased on (the web chat is anonymous; the terminal keeps nothing). */
export const ERASABLE_CHANNELS = ['sms', 'whatsapp', 'slack'] as const;
export type ErasableChannel = (typeof ERASABLE_CHANNELS)[number];

export type SubjectReading =
  | { readonly ok: true; readonly keys: readonly ParticipantKey[] }
  | { readonly ok: false; readonly reason: string };

const E164 = /^\+[1-9]\d{6,14}$/;
const WHATSAPP_PREFIX = /^whatsapp:/i;

/**
 * Who to erase, from what a coordinator was given: a phone number (`+447700900123`,
 * `07700 900123`), `whatsapp:` and a number, or a Slack member id (`U0123ABCD`). A bare
 * number is one person on SMS and on WhatsApp alike, so both are erased unless `channel`
 * narrows it. Reasons never repeat the address: they may be logged or shown in a browser.
 */
export function readErasureSubject(raw: string, channel?: ErasableChannel): SubjectReading {
  const text = raw.trim();
  if (SLACK_USER_ID.test(text)) {
    if (channel !== undefined && channel !== 'slack')
      return refuse(`a Slack member id cannot be erased on ${channel}`);
    return accept([{ channel: 'slack', address: text }]);
  }
  if (text.includes('@')) {
    return refuse(
      'give the Slack member id (U…) rather than an email: in Slack, open the profile and choose "Copy member ID"',
    );
  }
  const whatsapp = WHATSAPP_PREFIX.test(text);
  const phone = readPhone(text.replace(WHATSAPP_PREFIX, ''));
  if (phone === undefined)
    return refuse('not a phone number (+447700900123 or 07700 900123) nor a Slack member id');
  if (channel === 'slack') return refuse('a phone number cannot be erased on slack');
  if (whatsapp && channel === 'sms') return refuse('a whatsapp: address cannot be erased on sms');
  const channels =
    channel !== undefined
      ? [channel]
      : whatsapp
        ? ['whatsapp' as const]
        : (['sms', 'whatsapp'] as const);
  return accept(channels.map((c) => ({ channel: c, address: phone })));
}

/** E.164 as Twilio gives it, or a number written as people write them (UK national, 0044…). */
function readPhone(text: string): string | undefined {
  const compact = text.replace(/[\s\u00A0\-.()]/g, '');
  if (E164.test(compact)) return compact;
  const read = normalisePhone(text);
  return read.ok ? read.e164 : undefined;
}

function accept(keys: readonly ParticipantKey[]): SubjectReading {
  return { ok: true, keys };
}

function refuse(reason: string): SubjectReading {
  return { ok: false, reason };
}
