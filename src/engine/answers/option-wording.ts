import { wordsOf } from './tokens.js';
import { isLikelyTypo } from './typos.js';
import type { Vocabulary } from './vocabulary.js';

export interface ChoiceOption {
  readonly key: string;
  readonly label: string;
}

/** What a reply can match in one option's wording. */
export interface OptionWording {
  /** The whole label and the whole key, word by word and run together ("po poludniu", "popoludniu"). */
  readonly wholes: ReadonlySet<string>;
  /** Word stems of the label or key that no other option uses: only these can pick the option. */
  readonly distinctive: readonly string[];
}

/**
 * Forgives plurals on both sides ("mornings" meets "Morning", "evenings" meets "Evenings").
 * Welsh and Polish endings are handled by shared stems in `sharesStem` instead.
 */
export function stem(word: string): string {
  if (/^[0-9]/.test(word)) return word;
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

function wholesOf(text: string): string[] {
  const stems = wordsOf(text).map(stem);
  return stems.length === 0 ? [] : [stems.join(' '), stems.join('')];
}

function contentStems(option: ChoiceOption, vocabulary: Vocabulary): Set<string> {
  const words = [...wordsOf(option.label), ...wordsOf(option.key)];
  const content = words.filter(
    (word) => word.length >= 2 && !/^[0-9]/.test(word) && !vocabulary.stopWords.has(word),
  );
  const stems = new Set(content.map(stem));
  // A two-word label typed as one word ("popołudnie" for "Po południu") is matched run together.
  const label = wordsOf(option.label);
  if (label.length > 1) stems.add(label.join(''));
  return stems;
}

/**
 * Wordings already described, by vocabulary and by the options' keys and labels: a question's
 * options are read afresh for every reply to it, and their wording seldom changes. Bounded, as
 * labels may carry an invitation's values.
 */
const described = new Map<Vocabulary, Map<string, readonly OptionWording[]>>();
const MOST_DESCRIBED = 500;

export function describeOptions(
  options: readonly ChoiceOption[],
  vocabulary: Vocabulary,
): readonly OptionWording[] {
  const id = options.map((option) => `${option.key}\u0001${option.label}`).join('\u0000');
  let known = described.get(vocabulary);
  if (known === undefined) described.set(vocabulary, (known = new Map()));
  const found = known.get(id);
  if (found !== undefined) return found;
  const wordings = describe(options, vocabulary);
  if (known.size >= MOST_DESCRIBED) known.clear();
  known.set(id, wordings);
  return wordings;
}

function describe(options: readonly ChoiceOption[], vocabulary: Vocabulary): OptionWording[] {
  const stemsByOption = options.map((option) => contentStems(option, vocabulary));
  const uses = new Map<string, number>();
  for (const stems of stemsByOption)
    for (const word of stems) uses.set(word, (uses.get(word) ?? 0) + 1);
  return options.map((option, index) => ({
    wholes: new Set([...wholesOf(option.label), ...wholesOf(option.key)]),
    distinctive: [...(stemsByOption[index] ?? [])].filter((word) => uses.get(word) === 1),
  }));
}

/** The single option whose whole label or key is the whole reply, if there is exactly one. */
export function optionMatchingWholeReply(
  words: readonly string[],
  wordings: readonly OptionWording[],
): number | undefined {
  const stems = words.map(stem);
  const forms = [stems.join(' '), stems.join('')];
  const matching = indicesWhere(wordings, (wording) =>
    forms.some((form) => form !== '' && wording.wholes.has(form)),
  );
  return matching.length === 1 ? matching[0] : undefined;
}

/**
 * The options one word of a reply points to, at the strongest level any option reaches:
 * the same stem, then a shared stem or abbreviation, then a one-letter typo. Several options
 * at that level means the word does not decide anything.
 */
export function optionsMatchingWord(
  word: string,
  wordings: readonly OptionWording[],
  vocabulary: Vocabulary,
): number[] {
  const typed = stem(word);
  if (typed.length < 2 || vocabulary.stopWords.has(word) || vocabulary.stopWords.has(typed))
    return [];
  const levels: ((known: string) => boolean)[] = [
    (known) => known === typed,
    (known) => sharesStem(typed, known),
    (known) => isLikelyTypo(typed, known) || isLikelyTypo(word, known),
  ];
  for (const level of levels) {
    const matching = indicesWhere(wordings, (wording) => wording.distinctive.some(level));
    if (matching.length > 0) return matching;
  }
  return [];
}

/**
 * "eve" or "morn" (an abbreviation), "boreau" for "Bore" (an ending added), "wieczory" for
 * "Wieczorem" (a long shared start with different endings).
 */
function sharesStem(typed: string, known: string): boolean {
  let shared = 0;
  while (shared < typed.length && shared < known.length && typed[shared] === known[shared])
    shared += 1;
  if (shared === typed.length && typed.length >= 3) return true;
  if (shared === known.length && known.length >= 4 && typed.length - shared <= 3) return true;
  return shared >= 5 && shared >= 0.6 * Math.max(typed.length, known.length);
}

function indicesWhere<T>(items: readonly T[], test: (item: T) => boolean): number[] {
  return items.flatMap((item, index) => (test(item) ? [index] : []));
}
