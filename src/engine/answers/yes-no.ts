import { containsPhrase, matchPhraseAt, type MatchQuality } from './phrases.js';
import { emojiVerdict, phraseWords, tokenise } from './tokens.js';
import { vocabularyFor, type Vocabulary, type YesNo } from './vocabulary.js';

export type { YesNo } from './vocabulary.js';

/**
 * An answer may lead with its yes/no ("yes, every week") or end with it ("I'd say yes"), but a
 * yes/no buried after a longer story ("the nurse said no") is someone reporting, not answering.
 */
const MOST_WORDS_BEFORE_A_CLOSING_ANSWER = 4;

interface Item {
  readonly polarity: YesNo | undefined;
  readonly filler: boolean;
  readonly text: string;
  readonly quality: MatchQuality;
}

/**
 * 'yes' | 'no', or undefined when unsure: hedges ("maybe", "efallai", "może"), mixed signals
 * ("yes no", "yes 👎"), negated agreement ("not ok") and replies that merely mention a yes/no
 * word are all undefined, so the caller asks again rather than guessing.
 *
 * Typos: stretched words ("YESSS", "noo") are always forgiven; one slip is forgiven only in words
 * of five letters or more and only at the start ("definately", "absolutley"). A transposed short
 * word ("yse") is undefined: three-letter words have too many neighbours ("yet", "yea") to guess.
 *
 * Polish: bare "no" is undefined, because colloquial Polish "no" means "well/yeah"; "no tak" is
 * yes, "no nie" is no, and unmistakably English forms ("nope", "no thanks") are no.
 */
export function parseYesNo(text: string, language: string): YesNo | undefined {
  const vocabulary = vocabularyFor(language);
  const tokens = tokenise(text);
  const words = phraseWords(tokens);
  if (containsPhrase(vocabulary.unsure, words)) return undefined;
  const fromEmoji = emojiVerdict(tokens);
  if (fromEmoji === 'mixed') return undefined;
  const items = trimFillers(readItems(words, vocabulary));
  if (items.length === 0) return fromEmoji;
  const fromWords = verdict(items, vocabulary);
  if (fromWords === undefined || (fromEmoji !== undefined && fromEmoji !== fromWords))
    return undefined;
  return fromWords;
}

function readItems(words: readonly string[], vocabulary: Vocabulary): Item[] {
  const items: Item[] = [];
  let start = 0;
  while (start < words.length) {
    const answer = matchPhraseAt(vocabulary.polarity, words, start);
    const filler = answer
      ? undefined
      : matchPhraseAt(vocabulary.fillers, words, start, { typos: false });
    const length = answer?.length ?? filler?.length ?? 1;
    items.push({
      polarity: answer?.value,
      filler: filler !== undefined,
      text: words.slice(start, start + length).join(' '),
      quality: answer?.quality ?? filler?.quality ?? 'exact',
    });
    start += length;
  }
  return items;
}

function trimFillers(items: readonly Item[]): readonly Item[] {
  let first = 0;
  let last = items.length;
  while (first < last && items[first]?.filler === true) first += 1;
  while (last > first && items[last - 1]?.filler === true) last -= 1;
  return items.slice(first, last);
}

function verdict(items: readonly Item[], vocabulary: Vocabulary): YesNo | undefined {
  const counted = items.map((item, index) =>
    counts(item, index, items.length) ? item.polarity : undefined,
  );
  const negatedYes = counted.some(
    (polarity, index) =>
      polarity === 'yes' && vocabulary.negators.has(items[index - 1]?.text ?? ''),
  );
  const polarities = new Set(counted.filter((polarity) => polarity !== undefined));
  if (negatedYes || polarities.size !== 1) return undefined;
  const opening = counted[0];
  const closing = counted[items.length - 1];
  if (opening !== undefined) return opening;
  if (closing !== undefined && items.length - 1 <= MOST_WORDS_BEFORE_A_CLOSING_ANSWER)
    return closing;
  return undefined;
}

/** Whether an item's yes/no reading is trusted where it stands. */
function counts(item: Item, index: number, total: number): boolean {
  if (item.polarity === undefined) return false;
  // "y" and "n" are answers only on their own: inside a sentence "y" is Welsh for "the".
  if (item.text.length === 1) return total === 1;
  return item.quality !== 'typo' || index === 0;
}
