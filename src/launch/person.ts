import { participantRef } from '../store/participant-ref.js';
import type { ParticipantKey } from '../store/session-store.js';

/**
 * The keyed hash that stands for a person across flows: the ledger, the contact cap and job
 * ids use it. A phone number is one person on SMS and on WhatsApp, so both share the SMS ref.
 */
export function personRef(key: ParticipantKey, secret: string): string {
  const channel = key.channel === 'whatsapp' ? 'sms' : key.channel;
  return participantRef({ channel, address: key.address }, secret);
}

/** The keys a person's opt-out may be under: STOP on SMS also holds for WhatsApp, and back. */
export function optOutKeys(key: ParticipantKey): ParticipantKey[] {
  if (key.channel !== 'sms' && key.channel !== 'whatsapp') return [key];
  return [
    { channel: 'sms', address: key.address },
    { channel: 'whatsapp', address: key.address },
  ];
}
