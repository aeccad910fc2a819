/**
 * The Twilio error codes carevoice acts on. They arrive two ways: in the JSON of a refused
 * `messages.create` (HTTP 4xx/5xx), and as `ErrorCode` on a status callback once a message that
 * was accepted could not be delivered. https://www.twilio.com/docs/api/errors
 */
export interface TwilioErrorRule {
  /**
   * Sending the same message again may work. The sender retries at once (with backoff) only
   * for HTTP 429 and 5xx; for the others `retry` means "later", by the caller's job retry.
   */
  readonly retry: boolean;
  /** Twilio refuses this person until they opt back in: record them as opted out. */
  readonly optOut: boolean;
  /** The person's remaining messages would fail the same way: do not try them now. */
  readonly stopRecipient: boolean;
  /** For operators and coordinators, in plain words; never includes the person's details. */
  readonly explain: string;
}

const STATUS_ONLY = { retry: false, optOut: false, stopRecipient: false } as const;

export const TWILIO_ERRORS: Readonly<Record<number, TwilioErrorRule>> = {
  21610: {
    retry: false,
    optOut: true,
    stopRecipient: true,
    explain:
      'the person replied STOP to this sender; Twilio refuses every message to them until they send START',
  },
  21211: {
    retry: false,
    optOut: false,
    stopRecipient: true,
    explain: 'the phone number is not valid; check the number on the invitation list',
  },
  21614: {
    retry: false,
    optOut: false,
    stopRecipient: true,
    explain: 'the number is not a mobile (a landline cannot receive SMS)',
  },
  63016: {
    retry: false,
    optOut: false,
    stopRecipient: true,
    explain:
      'WhatsApp allows free-form messages only within 24 hours of the person\u2019s last message; an approved WhatsApp template is needed to reach them now',
  },
  63014: {
    retry: false,
    optOut: false,
    stopRecipient: true,
    // Not an opt-out: a block is not the person's STOP, and may be lifted on WhatsApp's side.
    explain: 'the person has blocked this WhatsApp sender, or WhatsApp refused delivery to them',
  },
  21611: {
    retry: true,
    optOut: false,
    stopRecipient: true,
    explain:
      'the sender\u2019s queue at Twilio is full (hours of messages waiting); send more slowly or add numbers',
  },
  30001: {
    ...STATUS_ONLY,
    explain: 'the message waited too long in the Messaging Service queue and was dropped',
  },
  20429: {
    retry: true,
    optOut: false,
    stopRecipient: false,
    explain: 'Twilio is rate limiting this account; the message is retried with backoff',
  },
  30003: { ...STATUS_ONLY, explain: 'the handset is switched off or out of coverage' },
  30004: { ...STATUS_ONLY, explain: 'the message was blocked (by the person or their network)' },
  30005: { ...STATUS_ONLY, explain: 'the number is unknown to its network, or no longer in use' },
  30006: { ...STATUS_ONLY, explain: 'the number is a landline or its network cannot be reached' },
  30007: {
    ...STATUS_ONLY,
    explain:
      'the network filtered the message as possible spam; check the wording and sender registration',
  },
  30008: { ...STATUS_ONLY, explain: 'the network reported an unknown delivery error' },
};

/** The rule for a code, or undefined for a code carevoice has no special handling for. */
export function twilioErrorRule(code: number | undefined): TwilioErrorRule | undefined {
  return code === undefined ? undefined : TWILIO_ERRORS[code];
}
