import { squeezeDoubles } from './normalise.js';
import { wordsOf } from './tokens.js';
import { isLikelyTypo } from './typos.js';

/**
 * A table of words and multi-word phrases ("no thanks", "dyna'r cyfan") with what they mean,
 * matched longest-first so "not sure" is never read as "sure" and "of course not" never as
 * "of course".
 */
export interface PhraseTable<T> {
  readonly exact: ReadonlyMap<string, T>;
  /** One-word entries by their doubled-letters-squeezed form; undefined marks a clash. */
  readonly squeezed: ReadonlyMap<string, T | undefined>;
  readonly singleWords: readonly (readonly [string, T])[];
  readonly longest: number;
}

/** How sure a match is: 'typo' matches are only trusted where the caller says so. */
export type MatchQuality = 'exact' | 'squeezed' | 'typo';

export interface PhraseMatch<T> {
  readonly value: T;
  /** Number of words consumed. */
  readonly length: number;
  readonly quality: MatchQuality;
}

/** Builds a table; on a repeated key the first entry wins, so list the reply's own language first. */
export function phraseTable<T>(entries: Iterable<readonly [string, T]>): PhraseTable<T> {
  const exact = new Map<string, T>();
  let longest = 0;
  for (const [phrase, value] of entries) {
    const words = wordsOf(phrase);
    const key = words.join(' ');
    if (key === '' || exact.has(key)) continue;
    exact.set(key, value);
    longest = Math.max(longest, words.length);
  }
  const singleWords = [...exact].filter(([key]) => !key.includes(' '));
  const squeezed = new Map<string, T | undefined>();
  for (const [key, value] of singleWords) {
    const short = squeezeDoubles(key);
    squeezed.set(short, squeezed.has(short) && squeezed.get(short) !== value ? undefined : value);
  }
  return { exact, squeezed, singleWords, longest };
}

/** A table with every phrase meaning the same thing. */
export function phraseSet(phrases: Iterable<string>): PhraseTable<true> {
  return phraseTable([...phrases].map((phrase) => [phrase, true] as const));
}

export interface MatchOptions {
  /** Forgive one slip in words of five letters or more (see typos.ts). */
  readonly typos: boolean;
}

/** The longest phrase starting at `words[start]`, falling back to squeezed and then typo matches. */
export function matchPhraseAt<T>(
  table: PhraseTable<T>,
  words: readonly string[],
  start: number,
  options: MatchOptions = { typos: true },
): PhraseMatch<T> | undefined {
  const most = Math.min(table.longest, words.length - start);
  for (let length = most; length >= 1; length -= 1) {
    const value = table.exact.get(words.slice(start, start + length).join(' '));
    if (value !== undefined) return { value, length, quality: 'exact' };
  }
  const word = words[start];
  if (word === undefined) return undefined;
  const squeezedWord = squeezeDoubles(word);
  if (squeezedWord !== word) {
    const value = table.squeezed.get(squeezedWord);
    if (value !== undefined) return { value, length: 1, quality: 'squeezed' };
  }
  if (!options.typos) return undefined;
  const near = table.singleWords.filter(([key]) => isLikelyTypo(word, key));
  const first = near[0];
  if (first === undefined || near.some(([, value]) => value !== first[1])) return undefined;
  return { value: first[1], length: 1, quality: 'typo' };
}

/** True when any phrase of the table appears anywhere in the words (typos not forgiven). */
export function containsPhrase(table: PhraseTable<unknown>, words: readonly string[]): boolean {
  return words.some(
    (_, start) => matchPhraseAt(table, words, start, { typos: false }) !== undefined,
  );
}
