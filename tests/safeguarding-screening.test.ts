import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findConcern, type PhraseList } from '../src/safeguarding/matcher.js';
import { readSharedList } from '../src/safeguarding/phrase-lists.js';
import { compilePattern, type CompiledPattern } from '../src/safeguarding/patterns.js';
import { shippedContent } from './helpers/content.js';

const { catalog } = shippedContent();
const shipped = ['en', 'cy', 'pl'].map((language): PhraseList => {
  const read = readSharedList(catalog, language, 'locales');
  if (!read.ok) throw new Error(JSON.stringify(read.problems));
  return read.list;
});
/** Shapes the shipped lists do not use (yet): optional first words, a gap after them. */
const shapes: PhraseList = {
  language: 'xx',
  phrases: [
    'really? badly? hurt*',
    'own? ... life',
    'nobody|no_one? cares',
    'so? tired ... living',
  ].map((source) => ({ category: 'flow', pattern: pattern(source) })),
  exceptions: ['really? hurt* my feelings', 'so? ... tired of waiting'].map(pattern),
};
const lists = [...shipped, shapes];

/** The same lists with no first-letter index: every pattern walked from every word. */
const unindexed = lists.map((list): PhraseList => ({
  ...list,
  phrases: list.phrases.map((phrase) => ({
    ...phrase,
    pattern: { ...phrase.pattern, firstLetters: undefined },
  })),
  exceptions: list.exceptions.map((exception) => ({ ...exception, firstLetters: undefined })),
}));

/** Words of the lists as written (with their endings and alternatives), and everyday words. */
const listWords = [
  ...new Set(
    [...lists.flatMap((list) => [...list.phrases.map((p) => p.pattern), ...list.exceptions])]
      .flatMap((pattern) => pattern.source.split(/[\s|_]+/u))
      .map((word) => word.replace(/[*?]/gu, ''))
      .filter((word) => word !== '' && word !== '...'),
  ),
];
const everyday = ['the', 'i', 'am', 'my', 'mum', 'and', 'not', 'of', 'fine', 'thanks', '3'];

/** A slip as people make them: a letter dropped, doubled or swapped. */
const slipped = fc
  .tuple(fc.constantFrom(...listWords), fc.nat(), fc.constantFrom('drop', 'double', 'swap'))
  .map(([word, at, slip]) => {
    const i = at % word.length;
    if (slip === 'drop') return word.slice(0, i) + word.slice(i + 1);
    if (slip === 'double') return word.slice(0, i + 1) + word.slice(i);
    return word.slice(0, i) + (word[i + 1] ?? '') + word[i] + word.slice(i + 2);
  });
const message = fc
  .array(fc.oneof(fc.constantFrom(...listWords), fc.constantFrom(...everyday), slipped), {
    minLength: 1,
    maxLength: 12,
  })
  .map((words) => words.join(' '));

describe('screening messages', () => {
  it('finds what walking every pattern from every word finds, in each order of lists', () => {
    fc.assert(
      fc.property(message, fc.nat(lists.length - 1), (text, first) => {
        const order = [first, ...lists.keys()].filter((i, at, all) => all.indexOf(i) === at);
        expect(
          findConcern(
            text,
            order.map((i) => lists[i] as PhraseList),
          ),
        ).toEqual(
          findConcern(
            text,
            order.map((i) => unindexed[i] as PhraseList),
          ),
        );
      }),
      { numRuns: 2_000 },
    );
  });

  it('knows which letters a match can begin with, and when it may begin anywhere', () => {
    const letters = (source: string): string[] | undefined => {
      const found = pattern(source).firstLetters;
      return found === undefined ? undefined : [...found].sort();
    };
    expect(letters('he hit*|punch* me')).toEqual(['h']);
    expect(letters('really? want|wish to die')).toEqual(['r', 'w']);
    expect(letters('Ósemka|cant_cope alone')).toEqual(['c', 'o']);
    expect(letters('own? ... life')).toBeUndefined();
  });
});

function pattern(source: string): CompiledPattern {
  const parsed = compilePattern(source);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.pattern;
}
