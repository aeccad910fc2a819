import { squeezeDoubles } from '../engine/answers/normalise.js';
import { wordsOf } from '../engine/answers/tokens.js';
import { TYPO_MIN_LENGTH, isOneEditApart } from '../engine/answers/typos.js';
import type { Alternative, CompiledPattern, Slot, WordTest } from './patterns.js';

/**
 * What a list entry is about. `flow` marks a phrase a flow file added for its own topic.
 * The category names the kind of concern for the alert; it is never the person's words.
 */
export const CONCERN_CATEGORIES = ['self_harm', 'abuse', 'neglect', 'crisis'] as const;
export type ConcernCategory = (typeof CONCERN_CATEGORIES)[number] | 'flow';

export interface ConcernPhrase {
  readonly category: ConcernCategory;
  readonly pattern: CompiledPattern;
}

/** One language's compiled list: the phrases, and the idioms that look like them but are not. */
export interface PhraseList {
  readonly language: string;
  readonly phrases: readonly ConcernPhrase[];
  /** "I could kill for a cup of tea": a phrase match inside one of these does not count. */
  readonly exceptions: readonly CompiledPattern[];
}

export interface ConcernMatch {
  readonly category: ConcernCategory;
  /** The list that matched. */
  readonly language: string;
  /** The list entry that matched (our words, never the person's). */
  readonly phrase: string;
}

/**
 * The first phrase of the lists found in a message, or undefined. Lists are tried in the order
 * given (the respondent's language first), so the match names the most likely language.
 * Pure and total: any text, any length, no exceptions thrown.
 */
export function findConcern(text: string, lists: readonly PhraseList[]): ConcernMatch | undefined {
  const words = wordsOf(text).map(squeezeDoubles);
  if (words.length === 0) return undefined;
  const starts = wordStarts(words);
  for (const list of lists) {
    const excused = lazily(() => excusedWords(words, starts, list.exceptions));
    // Plain index loops: this runs for the candidate phrases of every list on every message.
    const candidates = phrasesStartingIn(list.phrases, starts);
    for (let c = 0; c < candidates.length; c++) {
      const { category, pattern } = list.phrases[candidates[c] as number] as ConcernPhrase;
      const letters = pattern.firstLetters ?? ANY_LETTER;
      for (let l = 0; l < letters.length; l++) {
        const positions = starts.get(letters[l] as string);
        if (positions === undefined) continue;
        for (let i = 0; i < positions.length; i++) {
          const start = positions[i] as number;
          const end = matchFrom(pattern.slots, 0, words, start);
          if (end > start && !overlaps(excused(), start, end))
            return { category, language: list.language, phrase: pattern.source };
        }
      }
    }
  }
  return undefined;
}

/** A list's phrases by the letters they can begin with; those that may begin anywhere apart. */
interface PhraseIndex {
  readonly byLetter: ReadonlyMap<string, readonly number[]>;
  readonly anywhere: readonly number[];
}

/** Built the first time a list is screened with, kept as long as the list is. */
const indexes = new WeakMap<readonly ConcernPhrase[], PhraseIndex>();

function indexOf(phrases: readonly ConcernPhrase[]): PhraseIndex {
  let index = indexes.get(phrases);
  if (index !== undefined) return index;
  const byLetter = new Map<string, number[]>();
  const anywhere: number[] = [];
  phrases.forEach(({ pattern }, at) => {
    if (pattern.firstLetters === undefined) anywhere.push(at);
    for (const letter of pattern.firstLetters ?? []) {
      const positions = byLetter.get(letter);
      if (positions === undefined) byLetter.set(letter, [at]);
      else positions.push(at);
    }
  });
  index = { byLetter, anywhere };
  indexes.set(phrases, index);
  return index;
}

/** The phrases (by position, in list order, once each) that could begin at a word of the message. */
function phrasesStartingIn(
  phrases: readonly ConcernPhrase[],
  starts: ReadonlyMap<string, readonly number[]>,
): number[] {
  const { byLetter, anywhere } = indexOf(phrases);
  const found = [...anywhere];
  for (const letter of starts.keys()) found.push(...(byLetter.get(letter) ?? []));
  found.sort((a, b) => a - b);
  return found.filter((at, i) => at !== found[i - 1]);
}

/** Exceptions are matched only once a phrase has, and then once. */
function lazily<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

/** Words are never empty, so '' can stand for "any first letter" among a message's starts. */
const ANY_LETTER: readonly string[] = [''];

/**
 * Where a match may start: under each first letter, the positions of the words it begins, and
 * under '', every position. A pattern is tried only from words it could begin with; which of
 * its matches is found first makes no difference to the answer.
 */
function wordStarts(words: readonly string[]): Map<string, number[]> {
  const starts = new Map<string, number[]>([['', words.map((_, at) => at)]]);
  words.forEach((word, at) => {
    const positions = starts.get(word.charAt(0));
    if (positions === undefined) starts.set(word.charAt(0), [at]);
    else positions.push(at);
  });
  return starts;
}

/** Word positions covered by an exception ("kill for", "killed myself laughing"). */
function excusedWords(
  words: readonly string[],
  starts: ReadonlyMap<string, readonly number[]>,
  exceptions: readonly CompiledPattern[],
): boolean[] {
  const excused = words.map(() => false);
  for (const exception of exceptions) {
    for (const letter of exception.firstLetters ?? ANY_LETTER) {
      for (const start of starts.get(letter) ?? []) {
        const end = matchFrom(exception.slots, 0, words, start);
        for (let i = start; i < end; i++) excused[i] = true;
      }
    }
  }
  return excused;
}

function overlaps(excused: readonly boolean[], start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (excused[i] === true) return true;
  return false;
}

/** The end of a match of `slots[slot..]` starting at `words[at]`, or -1. */
function matchFrom(
  slots: readonly Slot[],
  slot: number,
  words: readonly string[],
  at: number,
): number {
  const current = slots[slot];
  if (current === undefined) return at;
  if (current.kind === 'gap') {
    for (let skip = 0; skip <= current.max && at + skip <= words.length; skip++) {
      const end = matchFrom(slots, slot + 1, words, at + skip);
      if (end >= 0) return end;
    }
    return -1;
  }
  for (let a = 0; a < current.alternatives.length; a++) {
    const alternative = current.alternatives[a] as Alternative;
    if (alternativeAt(alternative, words, at)) {
      const end = matchFrom(slots, slot + 1, words, at + alternative.length);
      if (end >= 0) return end;
    }
  }
  return current.optional ? matchFrom(slots, slot + 1, words, at) : -1;
}

/** Whether the words from `at` on are the alternative's, one by one. */
function alternativeAt(alternative: Alternative, words: readonly string[], at: number): boolean {
  for (let i = 0; i < alternative.length; i++)
    if (!wordMatches(alternative[i] as WordTest, words[at + i])) return false;
  return true;
}

/**
 * Exact, or one slip in a long word ("suicdal", "myslef"): a missed disclosure costs more than
 * a spare alert. Slips that make another common word are not forgiven: the first letter must
 * match and a wrong letter may not be among the first two ("hoping" is not "coping", "roping"
 * not "raping"); a prefix forgives no wrong letter at all, and no missing last letter, which
 * would only be a shorter prefix ("overdo" is not "overdos*").
 */
function wordMatches(test: WordTest, word: string | undefined): boolean {
  // Every test below keeps the first letter: most words fail here, and cheaply.
  if (word === undefined || word[0] !== test.word[0]) return false;
  if (!test.prefix) return word === test.word || oneSlip(word, test.word, true);
  if (word.startsWith(test.word)) return true;
  for (let length = test.word.length - 1; length <= test.word.length + 1; length++) {
    const start = word.slice(0, length);
    if (length <= word.length && !test.word.startsWith(start) && oneSlip(start, test.word, false))
      return true;
  }
  return false;
}

function oneSlip(typed: string, known: string, wrongLetter: boolean): boolean {
  if (typed.length < TYPO_MIN_LENGTH || known.length < TYPO_MIN_LENGTH) return false;
  if (typed[0] !== known[0] || !isOneEditApart(typed, known)) return false;
  if (typed.length !== known.length) return true;
  let at = 0;
  while (typed[at] === known[at]) at += 1;
  const swapped = typed[at] === known[at + 1] && typed[at + 1] === known[at];
  return swapped || (wrongLetter && at >= 2);
}
