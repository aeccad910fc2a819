import { readNumbers, type NumberMention } from './number-reader.js';
import {
  describeOptions,
  optionMatchingWholeReply,
  optionsMatchingWord,
  type ChoiceOption,
  type OptionWording,
} from './option-wording.js';
import { matchPhraseAt } from './phrases.js';
import { isWordLike, phraseWords, tokenise, type Token } from './tokens.js';
import { vocabularyFor, type Vocabulary } from './vocabulary.js';

export type { ChoiceOption } from './option-wording.js';

/** A reply we cannot turn into options without guessing. */
const UNCLEAR = Symbol('unclear');

/**
 * Option keys chosen, in option order, or undefined when unclear.
 *
 * A reply can give the number shown ("2"), a number word ("two", "dau", "dwa"), an ordinal
 * ("the second one", "2nd", "yr ail", "drugi", "last"), the key, the label or a word only that
 * option's label uses, with plurals, accents, abbreviations and one-letter typos forgiven.
 * With `multiple`, several at once ("1 and 3", "1,3", "mornings & evenings") and "all"/"both".
 *
 * Unclear (undefined): nothing matches, a number is out of range, a word matches two options
 * equally, the reply negates ("not mornings"), or more than one option when `multiple` is false.
 */
export function parseChoice(
  text: string,
  options: readonly ChoiceOption[],
  language: string,
  multiple: boolean,
): string[] | undefined {
  if (options.length === 0) return undefined;
  const vocabulary = vocabularyFor(language);
  const tokens = tokenise(text);
  const wordings = describeOptions(options, vocabulary);
  const whole = optionMatchingWholeReply(phraseWords(tokens), wordings);
  if (whole !== undefined) return keysOf(options, new Set([whole]));
  if (negates(tokens, vocabulary)) return undefined;
  const { selection, rest } = takeSelectAll(tokens, vocabulary);
  const picked = pickedOptions(rest, wordings, vocabulary, options.length);
  if (picked === UNCLEAR) return undefined;
  if (selection !== undefined) {
    const everything = new Set(options.map((_, index) => index));
    const fits = selection === 'all' || options.length === 2;
    return picked.size === 0 && fits && (multiple || options.length === 1)
      ? keysOf(options, everything)
      : undefined;
  }
  if (picked.size === 0 || (!multiple && picked.size > 1)) return undefined;
  return keysOf(options, picked);
}

function keysOf(options: readonly ChoiceOption[], picked: ReadonlySet<number>): string[] {
  return options.filter((_, index) => picked.has(index)).map((option) => option.key);
}

/** "not mornings", "anything except 2", "nie rano": the reply says what it does not want. */
function negates(tokens: readonly Token[], vocabulary: Vocabulary): boolean {
  const words = phraseWords(tokens);
  return words.some((word, index) => {
    const negation = matchPhraseAt(vocabulary.choiceNegations, words, index, { typos: false });
    // "no 2" / "no. 2" is short for "number 2".
    return negation !== undefined && !(word === 'no' && /^[0-9]/.test(words[index + 1] ?? ''));
  });
}

/** Finds "all", "all of them", "both", "y ddau", "wszystkie"… and removes them from the tokens. */
function takeSelectAll(
  tokens: readonly Token[],
  vocabulary: Vocabulary,
): { readonly selection: 'all' | 'both' | undefined; readonly rest: Token[] } {
  const wordTokens = tokens.filter(isWordLike);
  const words = wordTokens.map((token) => token.text + token.suffix);
  const taken = new Set<Token>();
  let selection: 'all' | 'both' | undefined;
  for (let index = 0; index < words.length;) {
    const found = matchPhraseAt(vocabulary.selectAll, words, index, { typos: false });
    if (found === undefined) {
      index += 1;
      continue;
    }
    selection = selection === 'all' || found.value === 'all' ? 'all' : 'both';
    wordTokens.slice(index, index + found.length).forEach((token) => taken.add(token));
    index += found.length;
  }
  return { selection, rest: tokens.filter((token) => !taken.has(token)) };
}

function pickedOptions(
  tokens: readonly Token[],
  wordings: readonly OptionWording[],
  vocabulary: Vocabulary,
  count: number,
): Set<number> | typeof UNCLEAR {
  const picked = new Set<number>();
  const mentions = readNumbers(tokens, vocabulary, 'choice');
  const inNumbers = new Set<number>();
  for (const mention of mentions) {
    for (let at = mention.first; at <= mention.last; at += 1) inNumbers.add(at);
    if (isPronounOne(mention, mentions, tokens, vocabulary)) continue;
    const index = optionIndex(mention, count);
    if (index === undefined) return UNCLEAR;
    picked.add(index);
  }
  tokens.forEach((token, at) => {
    if (token.kind !== 'word' || inNumbers.has(at)) return;
    const matching = optionsMatchingWord(token.text, wordings, vocabulary);
    const [only] = matching;
    if (matching.length === 1 && only !== undefined) picked.add(only);
  });
  return picked;
}

/** Zero-based option index for a number, or undefined when it cannot be an option. */
function optionIndex(mention: NumberMention, count: number): number | undefined {
  if (mention.kind === 'last') return count - 1;
  const { value } = mention;
  return Number.isInteger(value) && value >= 1 && value <= count ? value - 1 : undefined;
}

/** "the second one", "that one", "yr un cyntaf": "one" here names the option, it is not option 1. */
function isPronounOne(
  mention: NumberMention,
  mentions: readonly NumberMention[],
  tokens: readonly Token[],
  vocabulary: Vocabulary,
): boolean {
  if (!mention.spelled || mention.kind !== 'cardinal' || mention.value !== 1) return false;
  const before = tokens[mention.first - 1];
  if (before?.kind === 'word' && vocabulary.determiners.has(before.text)) return true;
  return mentions.some(
    (other) =>
      other.kind !== 'cardinal' &&
      (other.last === mention.first - 1 || other.first === mention.last + 1),
  );
}
