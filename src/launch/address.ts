import { SLACK_USER_ID } from '../channels/slack/payloads.js';

/**
 * Where an invitation goes, as read from the `address` column:
 * - a phone number (SMS), or `whatsapp:` and a phone number, held in E.164 (`+447700900123`);
 * - a Slack user id (`U0123ABCD`), or an email to look up in the Slack workspace.
 */
export type InviteAddress =
  | { readonly channel: 'sms' | 'whatsapp'; readonly phone: string }
  | { readonly channel: 'slack'; readonly userId: string }
  | { readonly channel: 'slack'; readonly email: string };

export type AddressReading =
  | { readonly ok: true; readonly address: InviteAddress }
  | { readonly ok: false; readonly reason: string };

const WHATSAPP_PREFIX = /^whatsapp:/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const E164 = /^\+[1-9]\d{6,14}$/;
/** UK numbers that take texts: mobiles (071–075, 077–079) and the Isle of Man's 07624. */
const UK_MOBILE = /^\+447(?:[1-57-9]\d{8}|624\d{6})$/;
/** Separators people and spreadsheets put in numbers: spaces (also non-breaking), dashes, dots, brackets. */
const SEPARATORS = /[\s\u00A0\-.()]/g;

/** Reads one address; the reason, when it cannot, says how to write it. */
export function readAddress(raw: string): AddressReading {
  const text = raw.trim();
  if (text === '') return refuse('the address is empty');
  if (WHATSAPP_PREFIX.test(text)) {
    const phone = normalisePhone(text.replace(WHATSAPP_PREFIX, ''));
    return phone.ok ? accept({ channel: 'whatsapp', phone: phone.e164 }) : phone;
  }
  if (SLACK_USER_ID.test(text)) return accept({ channel: 'slack', userId: text });
  if (text.includes('@')) {
    return EMAIL.test(text)
      ? accept({ channel: 'slack', email: text.toLowerCase() })
      : refuse('not a valid email address');
  }
  const phone = normalisePhone(text);
  return phone.ok ? accept({ channel: 'sms', phone: phone.e164 }) : phone;
}

/**
 * A phone number in E.164. National UK numbers (`07700 900123`), `+44 (0)7700 900123` and
 * `0044 7700 900123` become `+447700900123`; other countries need their `+` or `00` prefix.
 * UK numbers must be mobiles, since landlines cannot take texts. Numbers a spreadsheet has
 * mangled (leading 0 or + removed) are refused with the fix, not guessed at.
 */
export function normalisePhone(
  raw: string,
): { readonly ok: true; readonly e164: string } | { readonly ok: false; readonly reason: string } {
  const compact = raw.trim().replace('(0)', '').replace(SEPARATORS, '');
  if (!/^\+?\d+$/.test(compact)) return refuse('not a phone number: it has letters or symbols');
  let e164: string;
  if (compact.startsWith('+')) e164 = compact;
  else if (compact.startsWith('00')) e164 = `+${compact.slice(2)}`;
  else if (compact.startsWith('0')) e164 = `+44${compact.slice(1)}`;
  else if (/^7\d{9}$/.test(compact))
    return refuse(
      `looks like a UK mobile without its leading 0 (a spreadsheet may have removed it): write 0${compact}`,
    );
  else
    return refuse(
      `write the number with its country code, e.g. +${compact}, or a UK number starting with 0`,
    );
  if (e164.startsWith('+440')) e164 = `+44${e164.slice(4)}`;
  if (e164.startsWith('+44')) {
    if (!/^\+44\d{10}$/.test(e164)) return refuse('a UK number has 11 digits, starting with 0');
    if (!UK_MOBILE.test(e164))
      return refuse('not a UK mobile number (07…): landlines cannot receive text messages');
    return { ok: true, e164 };
  }
  return E164.test(e164)
    ? { ok: true, e164 }
    : refuse('not a valid international number (a + and 7 to 15 digits)');
}

function accept(address: InviteAddress): AddressReading {
  return { ok: true, address };
}

function refuse(reason: string): { readonly ok: false; readonly reason: string } {
  return { ok: false, reason };
}
