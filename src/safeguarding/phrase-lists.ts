import { join } from 'node:path';
import { z } from 'zod';
import type { TextCatalog } from '../i18n/catalog.js';
import type { FlowProblem } from '../flow/problems.js';
import {
  CONCERN_CATEGORIES,
  type ConcernCategory,
  type ConcernPhrase,
  type PhraseList,
} from './matcher.js';
import { compilePattern, type CompiledPattern } from './patterns.js';
import { SAFEGUARDING_NAMESPACE } from './signposting.js';

/** Keys the engine speaks; every language screened needs them (plain variants are optional). */
export const SIGNPOSTING_KEYS = [
  'signposting',
  'signposting_local',
  'concern_noted',
  'concern_paused',
] as const;
/** English is screened in every flow: people switch to it mid-conversation. */
export const ALWAYS_SCREENED = 'en';

const MAX_PHRASE_LENGTH = 200;
const pattern = z.string().min(1).max(MAX_PHRASE_LENGTH);
const byCategory = Object.fromEntries(
  CONCERN_CATEGORIES.map((category) => [category, z.array(pattern)]),
) as Record<(typeof CONCERN_CATEGORIES)[number], z.ZodArray<typeof pattern>>;

const listFile = z.looseObject({
  ...Object.fromEntries(SIGNPOSTING_KEYS.map((key) => [key, z.string().min(1)])),
  phrases: z.strictObject(byCategory),
  /** Idioms that contain a phrase but are not a disclosure ("I could kill for a cup of tea"). */
  exceptions: z.array(pattern),
});

export type ListRead =
  | { readonly ok: true; readonly list: PhraseList }
  | { readonly ok: false; readonly problems: readonly FlowProblem[] };

/**
 * One language's shared list from the loaded translations, compiled. Every problem names the
 * file and the entry, so whoever maintains the list can mend it.
 */
export function readSharedList(
  catalog: TextCatalog,
  language: string,
  localesDir: string,
): ListRead {
  const file = join(localesDir, language, `${SAFEGUARDING_NAMESPACE}.json`);
  const raw = catalog.resources[language]?.[SAFEGUARDING_NAMESPACE];
  if (raw === undefined)
    return {
      ok: false,
      problems: [
        {
          file,
          path: '',
          message: `no safeguarding phrases for '${language}'`,
          fix: 'copy the English safeguarding.json, translate it and have it reviewed',
        },
      ],
    };
  const parsed = listFile.safeParse(raw);
  if (!parsed.success)
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({
        file,
        path: issue.path.map(String).join('.'),
        message: issue.message,
        fix: 'see "Safeguarding and consent" in the README for the file layout',
      })),
    };
  const problems: FlowProblem[] = [];
  const compile = (source: string, path: string): CompiledPattern | undefined => {
    const result = compilePattern(source);
    if (result.ok) return result.pattern;
    problems.push({
      file,
      path,
      message: result.problem,
      fix: 'see the pattern notes in the README',
    });
    return undefined;
  };
  const phrases: ConcernPhrase[] = [];
  for (const category of CONCERN_CATEGORIES) {
    parsed.data.phrases[category].forEach((source, i) => {
      const compiled = compile(source, `phrases.${category}[${i}]`);
      if (compiled !== undefined) phrases.push({ category, pattern: compiled });
    });
  }
  const exceptions = parsed.data.exceptions.flatMap(
    (source, i) => compile(source, `exceptions[${i}]`) ?? [],
  );
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, list: { language, phrases, exceptions } };
}

/** A flow's own phrases for one language, all in the `flow` category. */
export function compileFlowPhrases(sources: readonly string[]): {
  readonly phrases: ConcernPhrase[];
  readonly problems: { index: number; problem: string }[];
} {
  const phrases: ConcernPhrase[] = [];
  const problems: { index: number; problem: string }[] = [];
  sources.forEach((source, index) => {
    const result = compilePattern(source);
    if (result.ok)
      phrases.push({ category: 'flow' satisfies ConcernCategory, pattern: result.pattern });
    else problems.push({ index, problem: result.problem });
  });
  return { phrases, problems };
}
