import { readNumbers } from './number-reader.js';
import { tokenise } from './tokens.js';
import { vocabularyFor } from './vocabulary.js';

/**
 * The one number a reply gives: digits ("4", "2.5", "-2", Polish "2,5"), number words ("four",
 * "pedwar", "cztery", "twenty-one"), keycaps ("4️⃣"), a run of one star emoji ("⭐⭐⭐⭐"), or
 * digit ordinals ("4th"). "4/5" and "4 out of 5" give 4. Words around it ("about 3") are ignored.
 *
 * Undefined when there is no number or two different ones ("3 or 4", "3-4", "1 0"): we never pick
 * one for the respondent. Spelled ordinals ("second") are not counted, as they are more often
 * "a second" than a quantity.
 */
export function parseNumber(text: string, language: string): number | undefined {
  const vocabulary = vocabularyFor(language);
  const mentions = readNumbers(tokenise(text), vocabulary, 'quantity').filter(
    (mention) => mention.kind === 'cardinal' || (mention.kind === 'ordinal' && !mention.spelled),
  );
  const values = new Set(mentions.map((mention) => mention.value));
  const [only] = values;
  if (values.size !== 1 || only === undefined) return undefined;
  // -0 would print as 0 but compare oddly (Object.is); callers should never see it.
  return only === 0 ? 0 : only;
}

/** parseNumber restricted to integers within [min, max]; undefined outside, never clamped. */
export function parseScale(
  text: string,
  language: string,
  min: number,
  max: number,
): number | undefined {
  const value = parseNumber(text, language);
  if (value === undefined || !Number.isInteger(value) || value < min || value > max)
    return undefined;
  return value;
}
