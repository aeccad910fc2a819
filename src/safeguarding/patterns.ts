import { squeezeDoubles } from '../engine/answers/normalise.js';
import { wordsOf } from '../engine/answers/tokens.js';

/**
 * The small pattern language of the safeguarding phrase lists. A pattern is words separated by
 * spaces, each folded like a reply (case, accents, apostrophes and doubled letters forgiven):
 *
 * - `kill*`       a word starting with "kill" (kill, kills, killed, killing)
 * - `hit|hits`    either word
 * - `cant|can_not` either "cant" or the two words "can not"
 * - `own?`        the word may be missing
 * - `...`         up to three other words in between
 *
 * `he hit*|punch* me` matches "he hits me" and "he punched me"; `take my own? life` matches
 * "take my life" and "take my own life".
 */
export interface WordTest {
  /** Folded, with doubled letters squeezed ("kill" is stored as "kil"). */
  readonly word: string;
  readonly prefix: boolean;
}

/** One way to fill a slot: a word, or several words in a row. */
export type Alternative = readonly WordTest[];

export type Slot =
  | {
      readonly kind: 'words';
      readonly alternatives: readonly Alternative[];
      readonly optional: boolean;
    }
  | { readonly kind: 'gap'; readonly max: number };

export interface CompiledPattern {
  /** The pattern as written in the list, for tests and for whoever maintains the list. */
  readonly source: string;
  readonly slots: readonly Slot[];
  /**
   * The letters a match's first word can start with (every word test, slips included, keeps
   * the first letter), so the matcher walks only from words that could begin one. Undefined
   * when a gap may open the match (`own? ... life` without "own"): it may begin on any word.
   */
  readonly firstLetters: readonly string[] | undefined;
}

export type PatternParse =
  | { readonly ok: true; readonly pattern: CompiledPattern }
  | { readonly ok: false; readonly problem: string };

/** Words a `...` may skip. */
export const GAP_WORDS = 3;
/** A prefix shorter than this (`a*`) would match half the language. */
const MIN_PREFIX_LETTERS = 3;
const GAP = '...';

export function compilePattern(source: string): PatternParse {
  const parts = source.trim().split(/\s+/u);
  const slots: Slot[] = [];
  for (const [i, part] of parts.entries()) {
    if (part === GAP) {
      if (i === 0 || i === parts.length - 1)
        return failed(`'${GAP}' joins two words, so it cannot start or end a pattern`);
      if (slots.at(-1)?.kind === 'gap') return failed(`write '${GAP}' once between two words`);
      slots.push({ kind: 'gap', max: GAP_WORDS });
      continue;
    }
    const optional = part.endsWith('?');
    const alternatives: Alternative[] = [];
    for (const alternative of (optional ? part.slice(0, -1) : part).split('|')) {
      const words: WordTest[] = [];
      for (const written of alternative.split('_')) {
        const test = wordTest(written);
        if (typeof test === 'string') return failed(test);
        words.push(test);
      }
      alternatives.push(words);
    }
    slots.push({ kind: 'words', alternatives, optional });
  }
  if (!slots.some((slot) => slot.kind === 'words' && !slot.optional))
    return failed('a pattern needs at least one word that must be there');
  return { ok: true, pattern: { source, slots, firstLetters: firstLetters(slots) } };
}

/** See `CompiledPattern.firstLetters`: the first slot's letters, and the next's while slots may be left out. */
function firstLetters(slots: readonly Slot[]): string[] | undefined {
  const letters = new Set<string>();
  for (const slot of slots) {
    if (slot.kind === 'gap') return undefined;
    for (const [first] of slot.alternatives) letters.add(first?.word[0] ?? '');
    if (!slot.optional) break;
  }
  return [...letters];
}

function wordTest(written: string): WordTest | string {
  const prefix = written.endsWith('*');
  const bare = prefix ? written.slice(0, -1) : written;
  const folded = wordsOf(bare);
  if (bare === '' || folded.length !== 1 || /[*?|]/u.test(bare))
    return `'${written}' is not one word (join words with _ and alternatives with |)`;
  const word = squeezeDoubles(folded[0] as string);
  if (prefix && word.length < MIN_PREFIX_LETTERS)
    return `'${written}' is too short to stand for every word it starts`;
  return { word, prefix };
}

function failed(problem: string): PatternParse {
  return { ok: false, problem };
}
