/**
 * The GSM-7 alphabet (3GPP TS 23.038) and the punctuation that can be swapped into it.
 *
 * A text message made only of GSM-7 characters carries 160 characters; a single character
 * outside it turns the whole message into UCS-2, which carries 70. A curly quote pasted from
 * a word processor can therefore more than double what a consultation costs.
 */

/**
 * The default alphabet in code order, 16 characters a row (0x00 to 0x7F). 0x1B is the escape
 * into the extension table, not a character, so it is taken out of the set below.
 * 0x09 is the capital Ç, as the standard says, although some phones show a small ç.
 */
const GSM_7_BASIC_ROWS = [
  '@£$¥èéùìòÇ\nØø\rÅå',
  'Δ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ',
  ' !"#¤%&\'()*+,-./',
  '0123456789:;<=>?',
  '¡ABCDEFGHIJKLMNO',
  'PQRSTUVWXYZÄÖÑÜ§',
  '¿abcdefghijklmno',
  'pqrstuvwxyzäöñüà',
] as const;

const ESCAPE = '\u001b';

export const GSM_7_BASIC: ReadonlySet<string> = new Set(
  [...GSM_7_BASIC_ROWS.join('')].filter((char) => char !== ESCAPE),
);

/** Characters sent as the escape and a second septet, so each costs two. */
export const GSM_7_EXTENSION: ReadonlySet<string> = new Set([
  '\f',
  '^',
  '{',
  '}',
  '\\',
  '[',
  '~',
  ']',
  '|',
  '€',
]);

/** Septets a character costs in GSM-7, or undefined when GSM-7 cannot carry it. */
export function gsmSeptets(char: string): 1 | 2 | undefined {
  if (GSM_7_BASIC.has(char)) return 1;
  if (GSM_7_EXTENSION.has(char)) return 2;
  return undefined;
}

/** The distinct characters of a text that GSM-7 cannot carry, in order of first use. */
export function nonGsmCharacters(text: string): string[] {
  return [...new Set([...text].filter((char) => gsmSeptets(char) === undefined))];
}

/**
 * Characters that force UCS-2 although GSM-7 has a stand-in a reader would not miss. Only
 * punctuation, spacing and symbols: letters a language needs (Welsh ŵ ŷ â, Polish ą ł ż) are
 * never here, because a respondent reading their own language matters more than the price.
 * Left out on purpose: the middle dot (Catalan l·l), the modifier apostrophe ʼ (a letter in
 * some alphabets) and the zero-width joiners (they hold emoji and some scripts together).
 */
export const GSM_FRIENDLY_REPLACEMENTS: ReadonlyMap<string, string> = new Map([
  // Single quotes and apostrophes
  ['\u2018', "'"], // ‘ left single quotation mark
  ['\u2019', "'"], // ’ right single quotation mark (the curly apostrophe)
  ['\u201A', "'"], // ‚ single low-9 quotation mark
  ['\u201B', "'"], // ‛ single high-reversed-9 quotation mark
  ['\u2032', "'"], // ′ prime
  ['\u2039', "'"], // ‹ single left-pointing angle quotation mark
  ['\u203A', "'"], // › single right-pointing angle quotation mark
  ['\u00B4', "'"], // ´ acute accent used as an apostrophe
  ['`', "'"], // grave accent: plain ASCII, but not in GSM-7
  // Double quotes
  ['\u201C', '"'], // “ left double quotation mark
  ['\u201D', '"'], // ” right double quotation mark
  ['\u201E', '"'], // „ double low-9 quotation mark (Polish, German)
  ['\u201F', '"'], // ‟ double high-reversed-9 quotation mark
  ['\u2033', '"'], // ″ double prime
  ['\u00AB', '"'], // « left-pointing double angle quotation mark
  ['\u00BB', '"'], // » right-pointing double angle quotation mark
  // Dashes and minus signs
  ['\u2010', '-'], // ‐ hyphen
  ['\u2011', '-'], // ‑ non-breaking hyphen
  ['\u2012', '-'], // ‒ figure dash
  ['\u2013', '-'], // – en dash
  ['\u2014', '-'], // — em dash
  ['\u2015', '-'], // ― horizontal bar
  ['\u2212', '-'], // − minus sign
  ['\uFE58', '-'], // ﹘ small em dash
  ['\uFE63', '-'], // ﹣ small hyphen-minus
  ['\uFF0D', '-'], // － full-width hyphen-minus
  // Dots
  ['\u2026', '...'], // … horizontal ellipsis
  ['\u2024', '.'], // ․ one dot leader
  ['\u2025', '..'], // ‥ two dot leader
  // Bullets
  ['\u2022', '-'], // • bullet
  ['\u2023', '-'], // ‣ triangular bullet
  ['\u2043', '-'], // ⁃ hyphen bullet
  ['\u25E6', '-'], // ◦ white bullet
  ['\u25AA', '-'], // ▪ black small square
  // Spaces: shown as a space, and a tab is not in GSM-7 either
  ['\t', ' '],
  ['\u00A0', ' '], // no-break space
  ['\u1680', ' '], // ogham space mark
  ['\u2000', ' '], // en quad
  ['\u2001', ' '], // em quad
  ['\u2002', ' '], // en space
  ['\u2003', ' '], // em space
  ['\u2004', ' '], // three-per-em space
  ['\u2005', ' '], // four-per-em space
  ['\u2006', ' '], // six-per-em space
  ['\u2007', ' '], // figure space
  ['\u2008', ' '], // punctuation space
  ['\u2009', ' '], // thin space
  ['\u200A', ' '], // hair space
  ['\u202F', ' '], // narrow no-break space
  ['\u205F', ' '], // medium mathematical space
  ['\u3000', ' '], // ideographic space
  // Invisible characters that only cost money
  ['\u00AD', ''], // soft hyphen
  ['\u200B', ''], // zero-width space
  ['\u2060', ''], // word joiner
  ['\uFEFF', ''], // byte order mark / zero-width no-break space
  // Symbols
  ['\u00D7', 'x'], // × multiplication sign
  ['\u2044', '/'], // ⁄ fraction slash
]);

/** Any character above, in one pass (each is a single UTF-16 unit); a text without one is returned as it is. */
const REPLACEABLE = new RegExp(
  `[${[...GSM_FRIENDLY_REPLACEMENTS.keys()].map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}]`,
  'g',
);

/**
 * The text with the stand-ins above swapped in. Everything else, letters included, is left
 * alone, so a Welsh or Polish message keeps its letters and is sent as UCS-2.
 */
export function toGsmFriendly(text: string): string {
  return text.replace(REPLACEABLE, (char) => GSM_FRIENDLY_REPLACEMENTS.get(char) ?? char);
}
