import type { TwilioConfig } from '../../config.js';
import type { Channel, ParticipantKey } from '../../store/session-store.js';

/** The channels Twilio carries for carevoice. */
export type TwilioChannel = Extract<Channel, 'sms' | 'whatsapp'>;

/** E.164: a plus, a non-zero country digit, at most 15 digits in all. */
const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * How a participant's address is written on the wire, per channel. The participant key keeps
 * the bare E.164 number for both, so the same person is one address on either channel.
 *
 * | channel    | participant address | Twilio `To` / `From`      |
 * |------------|---------------------|---------------------------|
 * | `sms`      | `+447700900123`     | `+447700900123`           |
 * | `whatsapp` | `+447700900123`     | `whatsapp:+447700900123`  |
 */
const WIRE_PREFIX: Readonly<Record<TwilioChannel, string>> = {
  sms: '',
  whatsapp: 'whatsapp:',
};

export type TwilioAddressErrorCode = 'channel_not_twilio' | 'address_invalid' | 'sender_missing';

/** A participant key that cannot be written as a Twilio address: a bug in the caller. */
export class TwilioAddressError extends Error {
  constructor(
    readonly code: TwilioAddressErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TwilioAddressError';
  }
}

export function isTwilioChannel(channel: Channel): channel is TwilioChannel {
  return channel === 'sms' || channel === 'whatsapp';
}

/**
 * The participant behind a Twilio `From`/`To`, or undefined for anything that is not a phone
 * number in E.164 form (short codes, alphanumeric senders, Messenger ids, junk).
 */
export function fromTwilioAddress(raw: string): ParticipantKey | undefined {
  const channel: TwilioChannel = raw.startsWith(WIRE_PREFIX.whatsapp) ? 'whatsapp' : 'sms';
  const address = raw.slice(WIRE_PREFIX[channel].length);
  return E164.test(address) ? { channel, address } : undefined;
}

/** The `To` for a participant; throws for channels Twilio does not carry. */
export function toTwilioAddress(key: ParticipantKey): string {
  if (!isTwilioChannel(key.channel)) {
    throw new TwilioAddressError(
      'channel_not_twilio',
      `the ${key.channel} channel is not sent through Twilio`,
    );
  }
  // The address itself is never put in the message: it would reach the logs.
  if (!E164.test(key.address))
    throw new TwilioAddressError('address_invalid', `a ${key.channel} address must be E.164`);
  return `${WIRE_PREFIX[key.channel]}${key.address}`;
}

/** Who a message is sent from: one number, or a Messaging Service that picks the sender. */
export type TwilioOrigin = { readonly from: string } | { readonly messagingServiceSid: string };

/**
 * The sender for a channel. A Messaging Service serves both channels (it picks its WhatsApp
 * sender from the `whatsapp:` of `To`); a single number is prefixed like a participant's.
 */
export function senderFor(config: TwilioConfig, channel: TwilioChannel): TwilioOrigin {
  if (config.messagingServiceSid !== undefined)
    return { messagingServiceSid: config.messagingServiceSid };
  if (config.from === undefined) {
    // loadConfig refuses this; a hand-built config might not.
    throw new TwilioAddressError(
      'sender_missing',
      'set TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID',
    );
  }
  return { from: `${WIRE_PREFIX[channel]}${config.from}` };
}
