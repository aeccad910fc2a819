import { matchPhraseAt } from './phrases.js';
import { isWordLike, touching, type Token } from './tokens.js';
import type { NumberKind, NumberWord, Vocabulary } from './vocabulary.js';

/** One number found in a reply, where it was, and how it was written. */
export interface NumberMention {
  readonly value: number;
  readonly kind: NumberKind;
  /** Written as a word ("one", "un"), not digits: only a spelled "one" can be a pronoun. */
  readonly spelled: boolean;
  /** Index of its first and last token. */
  readonly first: number;
  readonly last: number;
}

/**
 * 'quantity': "2,5" follows the language's decimal comma and "4/5" is four out of five.
 * 'choice': commas and slashes separate picks ("1,3", "1/3") and nothing is a decimal.
 */
export type ReadingMode = 'quantity' | 'choice';

/**
 * Every number in the tokens: digits, number words, ordinals, keycaps (already digits) and runs of
 * the same star emoji. The scale of "4 out of 5" / "4/5" is left out, so only the 4 is reported.
 */
export function readNumbers(
  tokens: readonly Token[],
  vocabulary: Vocabulary,
  mode: ReadingMode,
): NumberMention[] {
  const mentions: NumberMention[] = [];
  const wordCount = tokens.filter(isWordLike).length;
  let index = 0;
  while (index < tokens.length) {
    const mention =
      readStars(tokens, index) ??
      readDigits(tokens, index, vocabulary, mode) ??
      readWords(tokens, index, vocabulary, wordCount);
    if (mention === undefined) {
      index += 1;
      continue;
    }
    if (mentions.length === 0 || !isScale(tokens, mention.first, vocabulary, mode))
      mentions.push(mention);
    index = mention.last + 1;
  }
  return mentions;
}

function readStars(tokens: readonly Token[], index: number): NumberMention | undefined {
  const star = tokens[index];
  if (star?.kind !== 'star') return undefined;
  let last = index;
  while (tokens[last + 1]?.kind === 'star' && tokens[last + 1]?.text === star.text) last += 1;
  return { value: last - index + 1, kind: 'cardinal', spelled: false, first: index, last };
}

function readDigits(
  tokens: readonly Token[],
  index: number,
  vocabulary: Vocabulary,
  mode: ReadingMode,
): NumberMention | undefined {
  const first = tokens[index];
  if (first?.kind !== 'digits') return undefined;
  let written = first.text;
  let last = index;
  let suffix = first.suffix;
  for (;;) {
    const mark = tokens[last + 1];
    const next = tokens[last + 2];
    if (suffix !== '' || mark?.kind !== 'mark' || next?.kind !== 'digits') break;
    if (!touching(tokens[last], mark) || !touching(mark, next)) break;
    const joined = joinGroups(written, mark.text, next.text, vocabulary, mode);
    if (joined === undefined) break;
    written = joined;
    last += 2;
    suffix = next.suffix;
  }
  // Polish writes ordinals with a hyphen: "2-gi", "3-ci".
  const hyphen = tokens[last + 1];
  const ending = tokens[last + 2];
  if (
    suffix === '' &&
    hyphen?.text === '-' &&
    ending?.kind === 'word' &&
    touching(hyphen, ending)
  ) {
    if (vocabulary.ordinalSuffixes.has(ending.text)) {
      suffix = ending.text;
      last += 2;
    }
  }
  const value = Number(written) * (isNegative(tokens, index, vocabulary) ? -1 : 1);
  if (!Number.isFinite(value)) return undefined;
  const ordinal = vocabulary.ordinalSuffixes.has(suffix) && !written.includes('.');
  return { value, kind: ordinal ? 'ordinal' : 'cardinal', spelled: false, first: index, last };
}

/**
 * Two digit groups with a mark between and no spaces: "2.5" is a decimal everywhere, "2,5" only
 * where the language writes decimals with a comma, "1,000" is a thousand elsewhere. In choices
 * a comma separates picks ("1,3"), but "1.3" is still a decimal, and so no option at all.
 */
function joinGroups(
  written: string,
  mark: string,
  next: string,
  vocabulary: Vocabulary,
  mode: ReadingMode,
): string | undefined {
  if (written.includes('.')) return undefined;
  if (mark === '.') return `${written}.${next}`;
  if (mode === 'choice' || mark !== ',') return undefined;
  if (vocabulary.decimalComma) return `${written}.${next}`;
  return next.length === 3 ? written + next : undefined;
}

/** "-2" and "minus 2" are negative; "4-5" is a range, not four and minus five. */
function isNegative(tokens: readonly Token[], index: number, vocabulary: Vocabulary): boolean {
  const before = tokens[index - 1];
  if (before?.kind === 'word') return vocabulary.minus.has(before.text);
  if (before?.text !== '-' || !touching(before, tokens[index])) return false;
  const further = tokens[index - 2];
  return further === undefined || !touching(further, before) || further.kind === 'mark';
}

function readWords(
  tokens: readonly Token[],
  index: number,
  vocabulary: Vocabulary,
  wordCount: number,
): NumberMention | undefined {
  const found = numberWordAt(tokens, index, vocabulary);
  if (found === undefined) return undefined;
  const { word, last } = found;
  if (word.standalone && found.words !== wordCount) return undefined;
  const unit = isTen(word) ? unitAfter(tokens, last, vocabulary) : undefined;
  if (unit !== undefined) {
    const value = word.value + unit.word.value;
    return { value, kind: 'cardinal', spelled: true, first: index, last: unit.last };
  }
  return { value: word.value, kind: word.kind, spelled: true, first: index, last };
}

interface FoundWord {
  readonly word: NumberWord;
  /** How many words it took ("un deg un" is three). */
  readonly words: number;
  /** Index of its last token. */
  readonly last: number;
}

/** The longest number word or phrase starting at `index`, stepping over hyphens ("twenty-one"). */
function numberWordAt(
  tokens: readonly Token[],
  index: number,
  vocabulary: Vocabulary,
): FoundWord | undefined {
  const run: number[] = [];
  let at = index;
  while (tokens[at]?.kind === 'word' && run.length < vocabulary.numberWords.longest) {
    run.push(at);
    at += isHyphen(tokens[at + 1]) && tokens[at + 2]?.kind === 'word' ? 2 : 1;
  }
  const words = run.map((position) => tokens[position]?.text ?? '');
  const found = matchPhraseAt(vocabulary.numberWords, words, 0, { typos: false });
  const last = run[(found?.length ?? 0) - 1];
  return found && last !== undefined ? { word: found.value, words: found.length, last } : undefined;
}

const isTen = (word: NumberWord): boolean =>
  word.kind === 'cardinal' && word.value >= 20 && word.value <= 90 && word.value % 10 === 0;

/** The unit after a ten: "twenty one", "twenty-one", "dau ddeg un", "dwadzieścia jeden". */
function unitAfter(
  tokens: readonly Token[],
  last: number,
  vocabulary: Vocabulary,
): FoundWord | undefined {
  const unit = numberWordAt(tokens, isHyphen(tokens[last + 1]) ? last + 2 : last + 1, vocabulary);
  if (unit === undefined || unit.word.kind !== 'cardinal' || unit.word.standalone) return undefined;
  return unit.word.value >= 1 && unit.word.value <= 9 ? unit : undefined;
}

const isHyphen = (token: Token | undefined): boolean =>
  token?.kind === 'mark' && token.text === '-';

/** True when the number at `first` follows "out of", "/", "allan o", "na"…: it is the scale. */
function isScale(
  tokens: readonly Token[],
  first: number,
  vocabulary: Vocabulary,
  mode: ReadingMode,
): boolean {
  const before = tokens[first - 1];
  if (mode === 'quantity' && before?.kind === 'mark' && before.text === '/') return true;
  return vocabulary.outOf.some((phrase) =>
    phrase.every((word, offset) => {
      const token = tokens[first - phrase.length + offset];
      return token?.kind === 'word' && token.text === word;
    }),
  );
}
