import type { TextCatalog } from '../i18n/catalog.js';
import type { Locate, ParsedFlow } from '../flow/parse.js';
import { joinPath, type FlowProblem } from '../flow/problems.js';
import type { PhraseList } from './matcher.js';
import { ALWAYS_SCREENED, compileFlowPhrases, readSharedList } from './phrase-lists.js';
import { SAFEGUARDING_NAMESPACE } from './signposting.js';

/** What happens after signposting: the questions go on, or stop for now. */
export type ConcernThen = 'continue' | 'pause';

/**
 * A flow's screening, compiled when the flow loads. Every inbound text is matched against
 * these lists before the flow reads it as an answer.
 *
 * ```yaml
 * safeguarding:
 *   phrases: { en: ["lost my carer*"] }
 *   then: pause
 * ```
 */
export interface FlowSafeguarding {
  readonly then: ConcernThen;
  /** One per language screened: the flow's languages and English, each with the flow's own phrases. */
  readonly lists: readonly PhraseList[];
}

export type FlowSafeguardingLoad =
  | { readonly ok: true; readonly safeguarding: FlowSafeguarding }
  | { readonly ok: false; readonly problems: readonly FlowProblem[] };

/**
 * The shared list of each language the flow offers (a missing one is a problem: a language
 * nobody screens would let a disclosure pass unseen), English's when the deployment has it,
 * and the flow's own phrases, which must be in languages the flow offers.
 */
export function loadFlowSafeguarding(
  file: string,
  { header }: ParsedFlow,
  locate: Locate,
  catalog: TextCatalog,
  localesDir: string,
): FlowSafeguardingLoad {
  const problems: FlowProblem[] = [];
  const at = (path: (string | number)[]): Pick<FlowProblem, 'path' | 'line' | 'column'> => ({
    path: joinPath(path),
    ...locate(path),
  });
  const own = header.safeguarding?.phrases ?? {};
  for (const language of Object.keys(own)) {
    if (!header.languages.includes(language))
      problems.push({
        file,
        ...at(['safeguarding', 'phrases', language]),
        message: `phrases for '${language}', which is not one of the flow's languages`,
        fix: `use one of: ${header.languages.join(', ')}`,
      });
  }
  const screened = [...new Set([...header.languages, ALWAYS_SCREENED])];
  const lists: PhraseList[] = [];
  for (const language of screened) {
    const offered = header.languages.includes(language);
    if (!offered && catalog.resources[language]?.[SAFEGUARDING_NAMESPACE] === undefined) continue;
    const shared = readSharedList(catalog, language, localesDir);
    if (!shared.ok) {
      problems.push(...shared.problems);
      continue;
    }
    const added = compileFlowPhrases(own[language] ?? []);
    for (const { index, problem } of added.problems)
      problems.push({
        file,
        ...at(['safeguarding', 'phrases', language, index]),
        message: problem,
        fix: 'see the pattern notes under "Safeguarding and consent" in the README',
      });
    lists.push({ ...shared.list, phrases: [...added.phrases, ...shared.list.phrases] });
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, safeguarding: { then: header.safeguarding?.then ?? 'continue', lists } };
}
