import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GSM_7_BASIC,
  GSM_7_EXTENSION,
  GSM_FRIENDLY_REPLACEMENTS,
  gsmSeptets,
  nonGsmCharacters,
  toGsmFriendly,
} from '../src/render/gsm.js';
import { SEGMENT_CAPACITY, countSegments } from '../src/render/sms-segments.js';

const a = (n: number): string => 'a'.repeat(n);
const ą = (n: number): string => 'ą'.repeat(n);

// [name, text, encoding, units, segments, characters]
const counts: [string, string, 'GSM-7' | 'UCS-2', number, number, number][] = [
  ['empty text: billed as one segment, as Twilio does', '', 'GSM-7', 0, 1, 0],
  ['GSM-7, 160 characters: one segment', a(160), 'GSM-7', 160, 1, 160],
  ['GSM-7, 161 characters: two', a(161), 'GSM-7', 161, 2, 161],
  ['GSM-7, 306 characters: two of 153', a(306), 'GSM-7', 306, 2, 306],
  ['GSM-7, 307 characters: three', a(307), 'GSM-7', 307, 3, 307],
  ['line breaks are GSM-7', 'a\nb\r\nc', 'GSM-7', 6, 1, 6],
  ['basic-set accents and Greek capitals', 'Ça été ÆØÅ ΔΩ £¥§¿¡', 'GSM-7', 19, 1, 19],
  ['an extension character costs two septets', `${a(159)}^`, 'GSM-7', 161, 2, 160],
  ['80 euro signs fill one segment exactly', '€'.repeat(80), 'GSM-7', 160, 1, 80],
  ['81 euro signs: 76 then 5, never half of one', '€'.repeat(81), 'GSM-7', 162, 2, 81],
  [
    'an escape pair is not split at a boundary (306 septets, 3 segments)',
    `${a(152)}€${a(152)}`,
    'GSM-7',
    306,
    3,
    305,
  ],
  ['every extension character', '\f^{}\\[~]|€', 'GSM-7', 20, 1, 10],
  ['UCS-2, 70 characters: one segment', ą(70), 'UCS-2', 70, 1, 70],
  ['UCS-2, 71 characters: two', ą(71), 'UCS-2', 71, 2, 71],
  ['UCS-2, 134 characters: two of 67', ą(134), 'UCS-2', 134, 2, 134],
  ['UCS-2, 135 characters: three', ą(135), 'UCS-2', 135, 3, 135],
  ['an emoji is two UTF-16 units and one character', 'yeah 👍', 'UCS-2', 7, 1, 6],
  ['35 emoji fill one segment', '👍'.repeat(35), 'UCS-2', 70, 1, 35],
  ['36 emoji: 33 fit in 67 units, so two segments', '👍'.repeat(36), 'UCS-2', 72, 2, 36],
  [
    'a surrogate pair is not split at a boundary (134 units, 3 segments)',
    `${ą(66)}👍${ą(66)}`,
    'UCS-2',
    134,
    3,
    133,
  ],
  ['Welsh ŵ forces UCS-2', 'Dw i ddim yn siŵr.', 'UCS-2', 18, 1, 18],
  ['Welsh without a circumflex stays GSM-7', 'Diolch am eich amser.', 'GSM-7', 21, 1, 21],
  ['Polish letters force UCS-2', 'Dziękujemy za poświęcony czas.', 'UCS-2', 30, 1, 30],
  [
    'Polish without its own letters stays GSM-7',
    'Dobrze, pominiemy to pytanie.',
    'GSM-7',
    29,
    1,
    29,
  ],
  ['a tab is not GSM-7', 'a\tb', 'UCS-2', 3, 1, 3],
  ['a backtick is not GSM-7', 'a`b', 'UCS-2', 3, 1, 3],
  // 3GPP TS 23.038 has the capital Ç at 0x09; the small ç is not in the alphabet.
  ['the small ç is not GSM-7', 'ç', 'UCS-2', 1, 1, 1],
  ['the escape code itself is not a character', '\u001b', 'UCS-2', 1, 1, 1],
];

describe('countSegments', () => {
  it.each(counts)('%s', (_, text, encoding, units, segments, characters) => {
    expect(countSegments(text)).toEqual({ encoding, units, segments, characters });
  });

  it('holds 127 basic characters (128 codes less the escape) and 10 extension ones', () => {
    expect(GSM_7_BASIC.size).toBe(127);
    expect(GSM_7_EXTENSION.size).toBe(10);
    expect([...GSM_7_EXTENSION].filter((char) => GSM_7_BASIC.has(char))).toEqual([]);
    // The Greek capitals must be the Greek code points, not look-alikes such as the ohm sign.
    expect([...'ΔΦΓΛΩΠΨΣΘΞ'].map((c) => c.codePointAt(0))).toEqual([
      0x394, 0x3a6, 0x393, 0x39b, 0x3a9, 0x3a0, 0x3a8, 0x3a3, 0x398, 0x39e,
    ]);
  });

  it('names the characters that forced UCS-2, once each', () => {
    expect(nonGsmCharacters('siŵr, siŵr 👍 ok')).toEqual(['ŵ', '👍']);
    expect(nonGsmCharacters('plain GSM text €')).toEqual([]);
  });
});

// [name, input, output]
const friendly: [string, string, string][] = [
  ['curly single quotes and apostrophe', '‘It’s fine’', "'It's fine'"],
  ['curly double quotes', '“Hello”', '"Hello"'],
  ['Polish and German low quotes', '„dobrze”', '"dobrze"'],
  ['guillemets', '«oui»', '"oui"'],
  ['en dash, em dash and minus', 'a – b — c − 1', 'a - b - c - 1'],
  ['ellipsis', 'Wait…', 'Wait...'],
  ['no-break, thin and narrow spaces', 'a\u00A0b\u2009c\u202Fd', 'a b c d'],
  ['a tab', 'a\tb', 'a b'],
  ['bullet', '• one\n• two', '- one\n- two'],
  ['zero-width space and soft hyphen vanish', 'con\u00ADsul\u200Btation', 'consultation'],
  ['multiplication sign', '3 × a day', '3 x a day'],
  ['Welsh letters stay', 'Dw i ddim yn siŵr ’na', "Dw i ddim yn siŵr 'na"],
  ['Welsh â ŷ stay', 'â ŷ ê', 'â ŷ ê'],
  ['Polish letters stay', 'Dziękujemy, łatwo', 'Dziękujemy, łatwo'],
  ['emoji stay', 'yeah 👍', 'yeah 👍'],
  ['an emoji sequence keeps its joiners', '👩\u200D👩\u200D👧', '👩\u200D👩\u200D👧'],
  ['the middle dot stays (Catalan l·l)', 'col·legi', 'col·legi'],
  [
    'GSM-7 text is untouched',
    'Reply YES or NO. Price: €5 [approx] ~ {ok}',
    'Reply YES or NO. Price: €5 [approx] ~ {ok}',
  ],
];

describe('toGsmFriendly', () => {
  it.each(friendly)('%s', (_, input, output) => {
    expect(toGsmFriendly(input)).toBe(output);
  });

  it('only replaces characters GSM-7 lacks, and only with basic GSM-7 characters', () => {
    for (const [from, to] of GSM_FRIENDLY_REPLACEMENTS) {
      expect(gsmSeptets(from), `U+${from.codePointAt(0)?.toString(16)}`).toBeUndefined();
      expect(
        [...to].every((char) => GSM_7_BASIC.has(char)),
        JSON.stringify(to),
      ).toBe(true);
    }
  });

  it('turns an English text with smart punctuation into GSM-7', () => {
    const text = 'We’d like to hear from you – it takes 5 minutes…';
    expect(countSegments(text).encoding).toBe('UCS-2');
    expect(countSegments(toGsmFriendly(text)).encoding).toBe('GSM-7');
  });
});

const gsmChar = fc.constantFrom(...GSM_7_BASIC, ...GSM_7_EXTENSION);
const gsmText = fc.array(gsmChar, { maxLength: 700 }).map((chars) => chars.join(''));
const ucs2Text = fc
  .array(fc.oneof(gsmChar, fc.constantFrom('ą', 'ŵ', '👍', '\u2019', '👩\u200D👧')), {
    maxLength: 400,
  })
  .map((chars) => chars.join(''));
const anyText = fc.oneof(
  gsmText,
  ucs2Text,
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
);
const replaceable = fc.constantFrom(...GSM_FRIENDLY_REPLACEMENTS.keys());

describe('properties', () => {
  it('segments are never fewer than the capacity allows, and at most one unit per segment is lost', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const { encoding, units, segments } = countSegments(text);
        const { single, concatenated } = SEGMENT_CAPACITY[encoding];
        if (units <= single) {
          expect(segments).toBe(1);
          return;
        }
        expect(segments).toBeGreaterThanOrEqual(Math.ceil(units / concatenated));
        expect(segments).toBeLessThanOrEqual(Math.ceil(units / (concatenated - 1)));
      }),
    );
  });

  it('a text is GSM-7 exactly when every character is in the GSM-7 tables', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const gsm = [...text].every((c) => GSM_7_BASIC.has(c) || GSM_7_EXTENSION.has(c));
        expect(countSegments(text).encoding).toBe(gsm ? 'GSM-7' : 'UCS-2');
      }),
    );
  });

  it('toGsmFriendly is idempotent', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const once = toGsmFriendly(text);
        expect(toGsmFriendly(once)).toBe(once);
      }),
    );
  });

  it('toGsmFriendly never makes a GSM-7 text UCS-2, nor changes it', () => {
    fc.assert(
      fc.property(gsmText, (text) => {
        expect(toGsmFriendly(text)).toBe(text);
        expect(countSegments(toGsmFriendly(text)).encoding).toBe('GSM-7');
      }),
    );
  });

  it('GSM-7 text with replaceable punctuation mixed in comes out GSM-7', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(gsmChar, replaceable), { maxLength: 400 }), (chars) => {
        expect(countSegments(toGsmFriendly(chars.join(''))).encoding).toBe('GSM-7');
      }),
    );
  });
});
