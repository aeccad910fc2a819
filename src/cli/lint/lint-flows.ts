import type { Config } from '../../config.js';
import type { Translate } from '../../engine/types.js';
import type { Flow } from '../../flow/flow.js';
import { listFlowFiles } from '../../flow/load.js';
import { loadFlowFiles } from '../../flow/load-files.js';
import type { FlowProblem } from '../../flow/problems.js';
import { loadCatalog } from '../../i18n/catalog.js';
import { createTranslate } from '../../i18n/translate.js';
import { countSegments } from '../../render/sms-segments.js';
import { questionAdvice, type Advice } from './advice.js';
import { longestRun, type Run } from './longest-run.js';
import { lintMessage, type MessageLint } from './message-warnings.js';
import { sentTexts, type Wording } from './messages.js';

export interface LintOptions {
  readonly respondents: number;
  readonly pricePerSegment: number;
  readonly currency: string;
}

export const DEFAULT_LINT_OPTIONS: LintOptions = {
  respondents: 1000,
  pricePerSegment: 0.0463,
  currency: 'GBP',
};

export const PRICE_NOTE =
  'Prices vary by country and carrier and come from the Twilio price list; ' +
  'check yours and pass --price-per-segment and --currency.';

export interface WordingLint extends Wording {
  /** Role wordings list only the messages that differ from the wording without a role. */
  readonly onlyDifferences: boolean;
  readonly messages: readonly MessageLint[];
  readonly longestRun: Run | null;
}
export interface FlowLint {
  readonly file: string;
  readonly id: string;
  readonly wordings: readonly WordingLint[];
  /** The dearest run over every wording: what the cost estimate assumes. */
  readonly longestRun: (Run & Wording) | null;
  readonly cost: { readonly segmentsPerRespondent: number; readonly total: number };
  readonly advice: readonly Advice[];
}
export interface LintReport {
  readonly flows: readonly FlowLint[];
  readonly problems: readonly FlowProblem[];
  readonly filesChecked: number;
  readonly pricing: LintOptions & { readonly note: string };
}

/** What every valid flow sends, per language, variant and role, with segments and cost. */
export function lintFlows(
  files: readonly string[],
  config: Pick<Config, 'flowsDir' | 'localesDir'>,
  options: LintOptions = DEFAULT_LINT_OPTIONS,
): LintReport {
  // Loaded as `carevoice validate` loads them, so both report the same problems.
  const { catalog, problems: localeProblems } = loadCatalog(config.localesDir);
  const targets = files.length > 0 ? files : listFlowFiles(config.flowsDir);
  const { flows, registry, problems } = loadFlowFiles(targets, {
    catalog,
    localesDir: config.localesDir,
  });
  const translate = createTranslate(catalog, (ns) => registry.get(ns)?.languages[0] ?? 'en');
  return {
    flows: flows.map((flow) => lintFlow(flow, translate, options)),
    problems: [...localeProblems, ...problems],
    filesChecked: targets.length,
    pricing: { ...options, note: PRICE_NOTE },
  };
}

function lintFlow(flow: Flow, translate: Translate, options: LintOptions): FlowLint {
  const wordings: WordingLint[] = [];
  const advice = new Map<string, Advice>();
  for (const language of flow.languages) {
    for (const variant of flow.variants) {
      const base = sentTexts(flow, { language, variant, role: null }, translate);
      const baseText = new Map(base.all.map((sent) => [sent.id, sent.text]));
      for (const role of [null, ...flow.roles]) {
        const wording: Wording = { language, variant, role };
        const texts = role === null ? base : sentTexts(flow, wording, translate);
        const shown = texts.all.filter(
          (sent) => role === null || baseText.get(sent.id) !== sent.text,
        );
        if (shown.length === 0) continue;
        const messages = shown.map((sent) => lintMessage(sent, language));
        const segments = new Map(texts.all.map((sent) => [sent.id, countSegments(sent.text)]));
        const stepSegments = (id: string): number =>
          (texts.byStep.get(id) ?? []).reduce(
            (sum, s) => sum + (segments.get(s.id)?.segments ?? 0),
            0,
          );
        wordings.push({
          ...wording,
          onlyDifferences: role !== null,
          messages,
          longestRun: longestRun(flow, stepSegments),
        });
        for (const [messageId, question] of texts.questions) {
          for (const found of questionAdvice(question, language)) {
            const key = `${messageId}\u0000${found.rule}\u0000${question}`;
            if (!advice.has(key)) advice.set(key, { ...wording, messageId, ...found });
          }
        }
      }
    }
  }
  const dearest = wordings.reduce<(Run & Wording) | null>((best, w) => {
    const run = w.longestRun;
    if (run === null || (best !== null && run.segments <= best.segments)) return best;
    return { language: w.language, variant: w.variant, role: w.role, ...run };
  }, null);
  const segmentsPerRespondent = dearest?.segments ?? 0;
  const total = options.respondents * segmentsPerRespondent * options.pricePerSegment;
  return {
    file: flow.source,
    id: flow.id,
    wordings,
    longestRun: dearest,
    cost: { segmentsPerRespondent, total: Math.round(total * 100) / 100 },
    advice: [...advice.values()],
  };
}
