import { cy } from './lexicon/cy.js';
import { en } from './lexicon/en.js';
import { pl } from './lexicon/pl.js';
import type { Lexicon } from './lexicon/types.js';
import { phraseSet, phraseTable, type PhraseTable } from './phrases.js';
import { wordsOf } from './tokens.js';

export type YesNo = 'yes' | 'no';
export type NumberKind = 'cardinal' | 'ordinal' | 'last';

export interface NumberWord {
  readonly value: number;
  readonly kind: NumberKind;
  /** Counts as a number only when it is the whole reply. */
  readonly standalone: boolean;
}

/**
 * A language's lexicon made ready for matching: folded, with English layered underneath
 * (respondents often answer in English whatever language they chose) and the reply's own
 * language winning wherever the two disagree.
 */
export interface Vocabulary {
  readonly polarity: PhraseTable<YesNo>;
  readonly unsure: PhraseTable<true>;
  readonly negators: ReadonlySet<string>;
  readonly fillers: PhraseTable<true>;
  readonly nothingMore: PhraseTable<true>;
  readonly numberWords: PhraseTable<NumberWord>;
  readonly ordinalSuffixes: ReadonlySet<string>;
  /** Each "out of" phrase as its folded words. */
  readonly outOf: readonly (readonly string[])[];
  readonly minus: ReadonlySet<string>;
  readonly selectAll: PhraseTable<'all' | 'both'>;
  readonly choiceNegations: PhraseTable<true>;
  readonly stopWords: ReadonlySet<string>;
  readonly determiners: ReadonlySet<string>;
  readonly decimalComma: boolean;
}

const LEXICONS: ReadonlyMap<string, Lexicon> = new Map([
  ['en', en],
  ['cy', cy],
  ['pl', pl],
]);

const fold = (phrase: string): string => wordsOf(phrase).join(' ');

function build(local: Lexicon): Vocabulary {
  const shadowed = new Set(local.shadows.map(fold));
  const english = <T>(entries: readonly T[], keyOf: (entry: T) => string): T[] =>
    local === en ? [] : entries.filter((entry) => !shadowed.has(fold(keyOf(entry))));
  const layered = (pick: (lexicon: Lexicon) => readonly string[]): string[] => [
    ...pick(local),
    ...english(pick(en), (phrase) => phrase),
  ];
  const wordSet = (pick: (lexicon: Lexicon) => readonly string[]): ReadonlySet<string> =>
    new Set(layered(pick).map(fold));
  const polarity = (lexicon: Lexicon): (readonly [string, YesNo])[] => [
    ...lexicon.yes.map((phrase) => [phrase, 'yes'] as const),
    ...lexicon.no.map((phrase) => [phrase, 'no'] as const),
  ];
  return {
    polarity: phraseTable([...polarity(local), ...english(polarity(en), ([phrase]) => phrase)]),
    unsure: phraseSet(layered((lexicon) => lexicon.unsure)),
    negators: wordSet((lexicon) => lexicon.negators),
    fillers: phraseSet(layered((lexicon) => lexicon.fillers)),
    nothingMore: phraseSet(layered((lexicon) => lexicon.nothingMore)),
    numberWords: phraseTable([
      ...numberWords(local),
      ...english(numberWords(en), ([phrase]) => phrase),
    ]),
    ordinalSuffixes: wordSet((lexicon) => lexicon.ordinalSuffixes),
    outOf: layered((lexicon) => lexicon.outOf).map(wordsOf),
    minus: wordSet((lexicon) => lexicon.minus),
    selectAll: phraseTable([
      ...layered((lexicon) => lexicon.all).map((phrase) => [phrase, 'all'] as const),
      ...layered((lexicon) => lexicon.both).map((phrase) => [phrase, 'both'] as const),
    ]),
    choiceNegations: phraseSet(layered((lexicon) => lexicon.choiceNegations)),
    stopWords: wordSet((lexicon) => lexicon.stopWords),
    determiners: wordSet((lexicon) => lexicon.determiners),
    decimalComma: local.decimalComma,
  };
}

function numberWords(lexicon: Lexicon): (readonly [string, NumberWord])[] {
  const entries = (
    record: Readonly<Record<string, number>>,
    kind: NumberKind,
    standalone: boolean,
  ) =>
    Object.entries(record).map(([phrase, value]) => [phrase, { value, kind, standalone }] as const);
  return [
    ...entries(lexicon.cardinals, 'cardinal', false),
    ...entries(lexicon.standaloneCardinals, 'cardinal', true),
    ...entries(lexicon.ordinals, 'ordinal', false),
    ...lexicon.lastWords.map(
      (phrase) => [phrase, { value: 0, kind: 'last', standalone: false }] as const,
    ),
  ];
}

const VOCABULARIES: ReadonlyMap<string, Vocabulary> = new Map(
  [...LEXICONS].map(([code, lexicon]) => [code, build(lexicon)] as const),
);
const ENGLISH = build(en);

/** The vocabulary for a language code ("cy", "cy-GB", "PL"); English for languages we do not ship. */
export function vocabularyFor(language: string): Vocabulary {
  const base = language.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return VOCABULARIES.get(base) ?? ENGLISH;
}
