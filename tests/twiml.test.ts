import fc from 'fast-check';
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { messagingTwiml } from '../src/channels/twilio/twiml.js';

/** What Twilio's SDK writes for the same replies. */
function sdkTwiml(texts: readonly string[]): string {
  const response = new twilio.twiml.MessagingResponse();
  for (const text of texts) response.message(text);
  return response.toString();
}

describe('messagingTwiml', () => {
  it('writes what the SDK writes, for any text XML can carry', () => {
    // Letters, digits, markup characters, emoji, Welsh and Polish letters, CR and LF.
    const char = fc.constantFrom(...Array.from('aZ9 &<>"\'\r\n\t£€ŵłą😀/;#'));
    const text = fc.array(char, { maxLength: 40 }).map((chars) => chars.join(''));
    fc.assert(
      fc.property(fc.array(text, { maxLength: 4 }), (texts) => {
        expect(messagingTwiml(texts)).toBe(sdkTwiml(texts));
      }),
    );
  });

  it('drops characters XML cannot carry instead of failing the reply', () => {
    expect(messagingTwiml(['a\u0000b\u001Fc\uD800d'])).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Message>abcd</Message></Response>',
    );
  });
});
