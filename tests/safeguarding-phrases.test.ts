import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { findConcern, type PhraseList } from '../src/safeguarding/matcher.js';
import { compilePattern } from '../src/safeguarding/patterns.js';
import { readSharedList } from '../src/safeguarding/phrase-lists.js';
import { shippedContent } from './helpers/content.js';

const SHIPPED = ['en', 'cy', 'pl'] as const;
const row = z.strictObject({
  text: z.string().min(1),
  expect: z.enum(['self_harm', 'abuse', 'neglect', 'crisis', 'none']),
});
const table = z
  .record(z.enum(SHIPPED), z.array(row))
  .parse(parse(readFileSync('tests/fixtures/safeguarding/phrases.yaml', 'utf8')));
const { catalog } = shippedContent();

function shippedList(language: string): PhraseList {
  const read = readSharedList(catalog, language, 'locales');
  if (!read.ok) throw new Error(JSON.stringify(read.problems));
  return read.list;
}

describe.each(SHIPPED)('safeguarding phrases in %s', (language) => {
  const rows = table[language];
  const list = shippedList(language);

  it('has at least 60 reviewed rows, disclosures and near misses both', () => {
    expect(rows.length).toBeGreaterThanOrEqual(60);
    expect(rows.filter((r) => r.expect === 'none').length).toBeGreaterThanOrEqual(20);
    expect(rows.filter((r) => r.expect !== 'none').length).toBeGreaterThanOrEqual(40);
  });

  it.each(rows)('"$text" raises $expect', ({ text, expect: expected }) => {
    const found = findConcern(text, [list]);
    expect(found?.category ?? 'none').toBe(expected);
    if (found !== undefined) expect(found.language).toBe(language);
  });

  it('every phrase in the list is exercised by a row of the table', () => {
    const texts = rows.filter((r) => r.expect !== 'none').map((r) => r.text);
    const unused = list.phrases.filter(
      (phrase) => !texts.some((text) => findConcern(text, [{ ...list, phrases: [phrase] }])),
    );
    expect(unused.map((p) => p.pattern.source)).toEqual([]);
  });
});

describe('the pattern language', () => {
  it.each([
    ['...', "'...' joins two words"],
    ['kill ...', "'...' joins two words"],
    ['me? myself?', 'at least one word'],
    ['a* me', 'too short'],
    ['hit*me', 'not one word'],
    ['kill ... ... me', "write '...' once"],
  ])('refuses %s', (source, problem) => {
    const parsed = compilePattern(source);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem).toContain(problem);
  });

  it('forgives case, accents, apostrophes, stretched letters and one slip, but not a new word', () => {
    const list: PhraseList = {
      language: 'en',
      phrases: [
        { category: 'crisis', pattern: pattern('cant|can_not cope') },
        { category: 'self_harm', pattern: pattern('suicid*') },
      ],
      exceptions: [],
    };
    for (const text of ['I CAN’T COPE', 'i cant copeeee', 'can not cope', 'so suicdal', 'súicidal'])
      expect(findConcern(text, [list])?.category, text).toBeDefined();
    for (const text of ['I can cope', 'cantcope', 'a new cope', 'the suit is ideal'])
      expect(findConcern(text, [list]), text).toBeUndefined();
  });
});

function pattern(source: string) {
  const parsed = compilePattern(source);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.pattern;
}
