import { LANGUAGE_NAMES } from './language-names.js';
import { squeezeDoubles } from './normalise.js';
import { wordsOf } from './tokens.js';

export type GlobalWord =
  | { readonly word: 'stop' }
  | { readonly word: 'help' }
  | { readonly word: 'skip' }
  /** Asks for easy-read wording. */
  | { readonly word: 'plain' }
  | { readonly word: 'language'; readonly language: string };

type Command = Exclude<GlobalWord['word'], 'language'>;

/** Entries are compared with spaces removed, so "opt out", "OPT-OUT" and "optout" are one entry. */
const COMMANDS: Readonly<Record<Command, Readonly<Record<string, readonly string[]>>>> = {
  stop: {
    // The carrier opt-out words, as UK and US networks and SMS providers recognise them.
    en: ['stop', 'stop all', 'unsubscribe', 'end', 'quit', 'cancel', 'opt out', 'revoke'],
    cy: ['stopio', 'diwedd'],
    pl: ['stop', 'koniec', 'rezygnuję'],
  },
  help: { en: ['help', 'info'], cy: ['help', 'cymorth'], pl: ['pomoc'] },
  skip: { en: ['skip', 'next', 'pass'], cy: ['sgipio', 'nesaf'], pl: ['pomiń', 'dalej'] },
  plain: {
    en: ['easy read', 'plain', 'plain english'],
    cy: ['hawdd', 'darllen hawdd'],
    pl: ['prosto', 'prosty język'],
  },
};

const ORDER: readonly Command[] = ['stop', 'help', 'skip', 'plain'];

/** Folded, spaces and punctuation removed, doubled letters squeezed ("STOPP!" = "stop"). */
function compact(text: string): string {
  const words = wordsOf(text);
  const [first] = words;
  // "STOP STOP STOP" is as clear as "STOP".
  const joined =
    first !== undefined && words.every((word) => word === first) ? first : words.join('');
  return squeezeDoubles(joined);
}

const baseLanguage = (code: string): string => code.trim().toLowerCase().split(/[-_]/)[0] ?? '';

interface CommandEntry {
  readonly command: Command;
  readonly language: string;
}

/** Every command entry by its compact form, compacted once: commands in ORDER, then languages. */
const COMMAND_ENTRIES: ReadonlyMap<string, readonly CommandEntry[]> = (() => {
  const entries = new Map<string, CommandEntry[]>();
  for (const command of ORDER) {
    for (const [language, words] of Object.entries(COMMANDS[command])) {
      for (const word of words) {
        const key = compact(word);
        entries.set(key, [...(entries.get(key) ?? []), { command, language }]);
      }
    }
  }
  return entries;
})();

/** The compact forms that name each language we know names for, its code among them. */
const LANGUAGE_FORMS: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  Object.entries(LANGUAGE_NAMES).map(([base, names]) => [
    base,
    new Set([base, ...names].map(compact)),
  ]),
);

function namesLanguage(base: string, reply: string): boolean {
  const forms = LANGUAGE_FORMS.get(base);
  return forms === undefined ? compact(base) === reply : forms.has(reply);
}

/**
 * A word that works at any point of a conversation, but only as the WHOLE message (case, spaces,
 * punctuation and emoji aside): "stop" is STOP, "I want to stop going there" is not.
 *
 * Opt-out words work in every language we ship whatever `languages` says: leaving must never
 * depend on which language we think someone speaks. Help, skip and easy-read words work in English
 * and in the languages offered. A language name (native, English or code) switches language only
 * to one listed in `languages`, and reports it as listed there ("cy-GB" stays "cy-GB").
 */
export function matchGlobalWord(
  text: string,
  languages: readonly string[],
): GlobalWord | undefined {
  const reply = compact(text);
  if (reply === '') return undefined;
  const entries = COMMAND_ENTRIES.get(reply);
  if (entries !== undefined) {
    const offered = new Set(['en', ...languages.map(baseLanguage)]);
    const found = entries.find(
      ({ command, language }) => command === 'stop' || offered.has(language),
    );
    if (found !== undefined) return { word: found.command };
  }
  const language = languages.find((code) => {
    const base = baseLanguage(code);
    return base !== '' && namesLanguage(base, reply);
  });
  return language === undefined ? undefined : { word: 'language', language };
}
