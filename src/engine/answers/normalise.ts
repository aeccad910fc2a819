/**
 * Folding text before we compare it with anything. Replies come from basic phones, autocorrect,
 * caps lock and people who stretch words for emphasis, so every reader compares folded forms only.
 */

// Keycap emoji are a digit followed by VS16 and U+20E3; people use them as digits ("4️⃣").
const KEYCAP = /([0-9#*])\uFE0F?\u20E3/gu;
const KEYCAP_TEN = /\u{1F51F}/gu;
// Variation selectors, joiners and skin tones only decorate emoji; dropping them keeps 👍🏽 a plain 👍.
const EMOJI_DECORATION = /\uFE0E|\uFE0F|\u200D|[\u{1F3FB}-\u{1F3FF}]/gu;
const APOSTROPHES = /[\u2018\u2019\u02BC\u0060\u00B4]/g;
const DASHES = /[\u2010-\u2015\u2212]/g;
// NFD splits accented Latin letters into letter + mark; other scripts keep their marks because
// there the "mark" is often a vowel and dropping it would change the word.
const LATIN_MARKS = /(\p{Script=Latin})\p{M}+/gu;
// Letters that NFD does not split because they are letters in their own right, not marked ones.
const UNSPLIT: Readonly<Record<string, string>> = { ł: 'l', ø: 'o', đ: 'd' };
const UNSPLIT_LETTERS = /[łøđ]/g;
// No word in the languages we ship has three identical letters in a row, so a run is emphasis.
const STRETCHED = /(\p{Script=Latin})\1{2,}/gu;
const DOUBLED = /(\p{L})\1+/gu;
const STRETCHED_ASCII = /([a-z])\1{2,}/g;
const DECIMAL_DIGIT = /\p{Nd}/u;
// Most replies are plain ASCII; for them every step below but three leaves the text as it is.
const NOT_ASCII = /[\u0080-\u{10FFFF}]/u;
const NON_ASCII_DIGIT = /(?![0-9])\p{Nd}/gu;

/** Lower-case, compatibility-normalised, accent-free text with emoji decorations removed. */
export function foldText(text: string): string {
  if (!NOT_ASCII.test(text))
    return text.replace(APOSTROPHES, "'").toLowerCase().replace(STRETCHED_ASCII, '$1');
  const readable = text
    .replace(KEYCAP, '$1')
    .replace(KEYCAP_TEN, '10')
    .replace(/([0-9])\s*½/g, '$1.5')
    .replace(/½/g, '0.5')
    .replace(APOSTROPHES, "'")
    .replace(DASHES, '-')
    .normalize('NFKC')
    .replace(EMOJI_DECORATION, '')
    .replace(NON_ASCII_DIGIT, (digit) => String(digitValue(digit)));
  return readable
    .toLowerCase()
    .normalize('NFD')
    .replace(LATIN_MARKS, '$1')
    .normalize('NFC')
    .replace(UNSPLIT_LETTERS, (letter) => UNSPLIT[letter] ?? letter)
    .replace(STRETCHED, '$1');
}

/** "yess" → "yes", "noo" → "no": a second chance for words that did not match as typed. */
export function squeezeDoubles(word: string): string {
  return word.replace(DOUBLED, '$1');
}

/**
 * Respondents writing Urdu, Bengali, Punjabi or Arabic often use their own digits (٣, ৩, ੩).
 * Unicode keeps every decimal digit set as ten consecutive code points from zero to nine,
 * so the digit's value is its distance from the start of its run.
 */
function digitValue(digit: string): number {
  const code = digit.codePointAt(0) ?? 0;
  let before = 0;
  while (
    before < 60 &&
    code - before - 1 >= 0 &&
    DECIMAL_DIGIT.test(String.fromCodePoint(code - before - 1))
  ) {
    before += 1;
  }
  return before % 10;
}
