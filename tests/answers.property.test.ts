import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isNothingMore,
  matchGlobalWord,
  parseChoice,
  parseNumber,
  parseScale,
  parseYesNo,
  type ChoiceOption,
} from '../src/engine/answers/index.js';
import { cy } from '../src/engine/answers/lexicon/cy.js';
import { en } from '../src/engine/answers/lexicon/en.js';
import { pl } from '../src/engine/answers/lexicon/pl.js';
import type { Lexicon } from '../src/engine/answers/lexicon/types.js';

const LANGUAGES = ['en', 'cy', 'pl', 'ur', 'cy-GB', 'PL', '', 'xx'];

/** Anything a phone could send: any code point, emoji sequences, and realistic answer fragments. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc
    .array(
      fc.constantFrom(
        'yes',
        'no',
        'tak',
        'nie',
        'ie',
        'na',
        '4',
        '-2',
        '2.5',
        '2,5',
        '/',
        'out of',
        'allan o',
        'four',
        'dau',
        'dwa',
        'second',
        'ail',
        'drugi',
        'one',
        'all',
        'both',
        'morning',
        'evening',
        'Po południu',
        '⭐',
        '4️⃣',
        '👍',
        '👎',
        '!',
        ',',
        ' ',
        'and',
        'i',
        'a',
        'not',
        '1e999',
        '9'.repeat(30),
        'ł',
        'ŵ',
      ),
      { maxLength: 8 },
    )
    .map((parts) => parts.join(' ')),
);

const language = fc.constantFrom(...LANGUAGES);

const LABEL_POOL = [
  'Morning',
  'Afternoon',
  'Evening',
  'Bore',
  'Prynhawn',
  'Noswaith',
  'Rano',
  'Po południu',
  'Wieczorem',
  'I use the service',
  'I am a carer',
  'Something else',
  'Phone call',
  'Text message',
  'Weekends',
  'Not applicable',
  'Other',
  '1-2 times a week',
  'Every day',
  'Never',
];

/** Realistic option sets: distinct keys, labels from a pool of real ones, 1–6 options. */
const options = fc
  .shuffledSubarray(LABEL_POOL, { minLength: 1, maxLength: 6 })
  .map((labels): ChoiceOption[] =>
    labels.map((label, index) => ({ key: `k${index}_${label.length}`, label })),
  );

const randomCase = (text: string, mask: readonly boolean[]): string =>
  [...text]
    .map((char, index) => (mask[index % Math.max(mask.length, 1)] ? char.toUpperCase() : char))
    .join('');

const trailing = fc.constantFrom('', '.', '!', '!!!', '?', ' ', ',', '...', ' :)', '\n');

describe('every reader is total', () => {
  it('never throws and returns the promised types on arbitrary text', () => {
    fc.assert(
      fc.property(anyText, language, options, fc.boolean(), (text, lang, opts, multiple) => {
        expect([undefined, 'yes', 'no']).toContain(parseYesNo(text, lang));
        const number = parseNumber(text, lang);
        expect(number === undefined || Number.isFinite(number)).toBe(true);
        expect(
          parseScale(text, lang, 1, 5) === undefined ||
            Number.isInteger(parseScale(text, lang, 1, 5)),
        ).toBe(true);
        const choice = parseChoice(text, opts, lang, multiple);
        expect(choice === undefined || Array.isArray(choice)).toBe(true);
        expect(typeof isNothingMore(text, lang)).toBe('boolean');
        const global = matchGlobalWord(text, [lang, 'en']);
        expect(global === undefined || typeof global.word === 'string').toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});

describe('parseScale', () => {
  it('never returns a non-integer or a value outside [min, max]', () => {
    const bounds = fc.tuple(fc.integer({ min: -20, max: 20 }), fc.integer({ min: -20, max: 20 }));
    fc.assert(
      fc.property(anyText, language, bounds, (text, lang, [min, max]) => {
        const value = parseScale(text, lang, min, max);
        if (value === undefined) return;
        expect(Number.isInteger(value)).toBe(true);
        expect(value).toBeGreaterThanOrEqual(min);
        expect(value).toBeLessThanOrEqual(max);
      }),
      { numRuns: 400 },
    );
  });

  it('reads any in-range integer written with digits, with or without decoration', () => {
    const decorated = fc.tuple(
      fc.integer({ min: 0, max: 10 }),
      fc.constantFrom('', 'about ', 'I would say ', 'tua ', 'około '),
      fc.constantFrom('', '/10', ' out of 10', '!', ' stars'),
    );
    fc.assert(
      fc.property(decorated, language, ([value, before, after], lang) => {
        expect(parseScale(`${before}${value}${after}`, lang, 0, 10)).toBe(value);
      }),
    );
  });
});

describe('parseNumber', () => {
  it('reads back any safe integer it is given in digits', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1_000_000, max: 1_000_000 }), language, (value, lang) => {
        expect(parseNumber(String(value), lang)).toBe(value);
      }),
    );
  });

  it('refuses two different numbers', () => {
    const pair = fc
      .tuple(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }))
      .filter(([a, b]) => a !== b);
    fc.assert(
      fc.property(
        pair,
        fc.constantFrom(' or ', ' and ', ' ', ' to '),
        language,
        ([a, b], joiner, lang) => {
          expect(parseNumber(`${a}${joiner}${b}`, lang)).toBeUndefined();
        },
      ),
    );
  });
});

describe('parseChoice', () => {
  it('returns only option keys, in option order, without repeats, and one at most when single', () => {
    fc.assert(
      fc.property(anyText, options, language, fc.boolean(), (text, opts, lang, multiple) => {
        const keys = parseChoice(text, opts, lang, multiple);
        if (keys === undefined) return;
        const order = opts.map((option) => option.key);
        expect(keys.length).toBeGreaterThan(0);
        expect(keys.every((key) => order.includes(key))).toBe(true);
        expect(new Set(keys).size).toBe(keys.length);
        expect([...keys].sort((a, b) => order.indexOf(a) - order.indexOf(b))).toEqual(keys);
        if (!multiple) expect(keys.length).toBe(1);
      }),
      { numRuns: 400 },
    );
  });

  it('picks the option whose number is shown, however it is decorated', () => {
    const numbered = options.chain((opts) =>
      fc.tuple(fc.constant(opts), fc.integer({ min: 1, max: opts.length })),
    );
    fc.assert(
      fc.property(
        numbered,
        fc.constantFrom('', '#', 'option ', 'no. '),
        trailing,
        language,
        ([opts, shown], before, after, lang) => {
          // A label that is itself a number in the list would be read as that label; none is here.
          expect(parseChoice(`${before}${shown}${after}`, opts, lang, false)).toEqual([
            opts[shown - 1]?.key,
          ]);
        },
      ),
    );
  });

  it('never accepts a number outside the list, zero, negative or fractional', () => {
    const bad = options.chain((opts) =>
      fc.tuple(
        fc.constant(opts),
        fc.oneof(
          fc.integer({ min: opts.length + 1, max: 99 }),
          fc.integer({ min: -9, max: 0 }),
          fc.constant(1.5),
        ),
      ),
    );
    fc.assert(
      fc.property(bad, fc.boolean(), ([opts, shown], multiple) => {
        expect(parseChoice(String(shown), opts, 'en', multiple)).toBeUndefined();
      }),
    );
  });
});

/** Each language's own synonyms, plus English ones (always accepted) that it does not shadow. */
function synonyms(lexicon: Lexicon, code: string, answer: 'yes' | 'no'): [string, string][] {
  const own = lexicon[answer].map((phrase): [string, string] => [phrase, code]);
  const english =
    lexicon === en ? [] : en[answer].filter((phrase) => !lexicon.shadows.includes(phrase));
  return [...own, ...english.map((phrase): [string, string] => [phrase, code])];
}

describe('parseYesNo', () => {
  for (const answer of ['yes', 'no'] as const) {
    it(`reads every "${answer}" synonym the same with random case and trailing punctuation`, () => {
      const table = [
        ...synonyms(en, 'en', answer),
        ...synonyms(cy, 'cy', answer),
        ...synonyms(pl, 'pl', answer),
      ];
      fc.assert(
        fc.property(
          fc.constantFrom(...table),
          fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }),
          trailing,
          ([phrase, lang], mask, after) => {
            expect(parseYesNo(`${randomCase(phrase, mask)}${after}`, lang)).toBe(answer);
          },
        ),
        { numRuns: 600 },
      );
    });
  }

  it('is unclear whenever a hedge appears, whatever else is said', () => {
    const hedged = fc.constantFrom(
      ...en.unsure.map((hedge) => [hedge, 'en'] as const),
      ...cy.unsure.map((hedge) => [hedge, 'cy'] as const),
      ...pl.unsure.map((hedge) => [hedge, 'pl'] as const),
    );
    fc.assert(
      fc.property(
        hedged,
        fc.constantFrom('yes', 'no', 'tak', 'nie', 'ie', 'na', ''),
        ([hedge, lang], answer) => {
          expect(parseYesNo(`${answer} ${hedge}`, lang)).toBeUndefined();
          expect(parseYesNo(`${hedge}, ${answer}`, lang)).toBeUndefined();
        },
      ),
    );
  });
});

describe('matchGlobalWord', () => {
  const words = fc.constantFrom(
    'stop',
    'STOP',
    'Help',
    'skip',
    'EASY READ',
    'cymorth',
    'POMIŃ',
    'koniec',
    'Cymraeg',
  );

  it('matches a global word alone, with any case, spacing, punctuation or emoji around it', () => {
    fc.assert(
      fc.property(
        words,
        fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
        fc.constantFrom('', ' ', '!', '.', ' 🙏', '!!'),
        (word, mask, around) => {
          expect(
            matchGlobalWord(`${around}${randomCase(word, mask)}${around}`, ['en', 'cy', 'pl']),
          ).toBeDefined();
        },
      ),
    );
  });

  it('never matches when the word is only part of a longer message', () => {
    const sentence = fc.constantFrom(
      'I want to %s going there',
      'please %s',
      'can you %s me',
      '%s it',
      'the %s was late',
    );
    fc.assert(
      fc.property(words, sentence, (word, template) => {
        expect(matchGlobalWord(template.replace('%s', word), ['en', 'cy', 'pl'])).toBeUndefined();
      }),
    );
  });
});

describe('isNothingMore', () => {
  it('is false as soon as the reply carries on with more story', () => {
    const endings = fc.constantFrom(
      ...en.nothingMore.map((phrase) => [phrase, 'en'] as const),
      ...cy.nothingMore.map((phrase) => [phrase, 'cy'] as const),
      ...pl.nothingMore.map((phrase) => [phrase, 'pl'] as const),
    );
    fc.assert(
      fc.property(
        endings,
        fc.constantFrom('but my mum goes on Tuesdays', 'ond mae fy mam yn mynd', 'ale mama chodzi'),
        ([ending, lang], story) => {
          expect(isNothingMore(ending, lang)).toBe(true);
          expect(isNothingMore(`${ending}, ${story}`, lang)).toBe(false);
        },
      ),
    );
  });
});
