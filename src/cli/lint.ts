import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import { renderQuestion, say, sayCommon, type Speaker } from '../engine/questions.js';
import { startSession, step } from '../engine/step.js';
import type { CommonKey } from '../engine/common-text.js';
import type { EngineContext, Translate } from '../engine/types.js';
import type { Flow, Variant } from '../flow/flow.js';
import { listFlowFiles, loadFlowFile } from '../flow/load.js';
import { formatProblem, type FlowProblem } from '../flow/problems.js';
import { FlowRegistry } from '../flow/registry.js';
import { isEnd, isQuestion, nextTargets } from '../flow/steps.js';
import { loadCatalog } from '../i18n/catalog.js';
import { createTranslate } from '../i18n/translate.js';
import { nonGsmCharacters, toGsmFriendly } from '../render/gsm.js';
import { renderForSms } from '../render/sms.js';
import { countSegments, type SegmentCount } from '../render/sms-segments.js';

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

/** Segments above which a message is flagged: a third text in a row reads as a wall. */
export const MAX_COMFORTABLE_SEGMENTS = 2;

/**
 * Languages whose everyday letters all fit GSM-7: a UCS-2 message in one of them is a slip
 * (an emoji, an odd symbol), not a need. Welsh (ŵ ŷ â) and Polish (ą ł ż) are not here.
 */
const GSM_ALPHABET_LANGUAGES: ReadonlySet<string> = new Set(['en', 'da', 'de', 'nb', 'nn', 'sv']);

export interface AdviceRule {
  readonly id: 'double_barrelled' | 'leading';
  readonly languages: readonly string[];
  readonly pattern: RegExp;
  readonly advice: string;
}

/** A whole-word, case-blind match of any of the phrases. */
function anyPhrase(phrases: readonly string[]): RegExp {
  const escaped = phrases.map((phrase) => phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`\\b(?:${escaped.join('|')})\\b`, 'i');
}

/** Wording advice for question texts; never an error, since only a person can judge it. */
export const QUESTION_ADVICE_RULES: readonly AdviceRule[] = [
  {
    id: 'double_barrelled',
    languages: ['en'],
    pattern: /\?[^?]*\band\b[^?]*\?/i,
    advice: 'two questions joined by "and": ask one at a time, so each answer means one thing',
  },
  {
    id: 'leading',
    languages: ['en'],
    // "How good ..." is the neutral way to ask for a rating, so it is not here.
    pattern: anyPhrase([
      "don't you agree",
      'do you not agree',
      "don't you think",
      "wouldn't you say",
      "wouldn't you agree",
      "isn't it true",
      'surely',
      'how great',
      'how excellent',
      'how wonderful',
      'how amazing',
      'how bad',
      'how awful',
      'how terrible',
    ]),
    advice: 'a leading question suggests its answer: ask neutrally, e.g. "How good or poor ..."',
  },
];

export interface Wording {
  readonly language: string;
  readonly variant: Variant;
  readonly role: string | null;
}
export type MessageWarning =
  | { readonly code: 'over_two_segments'; readonly message: string }
  | { readonly code: 'ucs2_in_gsm_language'; readonly message: string };
export interface MessageLint extends SegmentCount {
  readonly id: string;
  readonly text: string;
  /** The characters that made the message UCS-2 (empty for GSM-7). */
  readonly forcedBy: readonly string[];
  readonly warnings: readonly MessageWarning[];
}
export interface Run {
  readonly steps: readonly string[];
  readonly segments: number;
  /** False when the flow had too many paths to walk them all (see MAX_PATHS). */
  readonly exhaustive: boolean;
}
export interface WordingLint extends Wording {
  /** Role wordings list only the messages that differ from the wording without a role. */
  readonly onlyDifferences: boolean;
  readonly messages: readonly MessageLint[];
  readonly longestRun: Run | null;
}
export interface Advice extends Wording {
  readonly messageId: string;
  readonly rule: AdviceRule['id'];
  readonly advice: string;
  readonly found: string;
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
  const problems: FlowProblem[] = [...localeProblems];
  const registry = new FlowRegistry();
  const flows: Flow[] = [];
  for (const file of targets) {
    const loaded = loadFlowFile(file, { catalog, localesDir: config.localesDir });
    if (!loaded.ok) {
      problems.push(...loaded.problems);
      continue;
    }
    const clashes = registry.publish(loaded.flow);
    problems.push(...clashes);
    if (clashes.length === 0) flows.push(loaded.flow);
  }
  const translate = createTranslate(catalog, (ns) => registry.get(ns)?.languages[0] ?? 'en');
  return {
    flows: flows.map((flow) => lintFlow(flow, translate, options)),
    problems,
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

interface SentText {
  readonly id: string;
  readonly text: string;
}
interface SentTexts {
  /** Each text once, steps in file order, then the shared texts. */
  readonly all: readonly SentText[];
  /** What a respondent receives at each step on the way through, for the longest run. */
  readonly byStep: ReadonlyMap<string, readonly SentText[]>;
  /** Each question's own text (without options or hint), for the wording advice. */
  readonly questions: ReadonlyMap<string, string>;
}

/** The wording does not depend on the time, but the engine wants one. */
const LINT_TIME = new Date(0);

/**
 * Shared texts the engine may send a respondent who is at a question, and whether this wording
 * can get them: HELP is asked of the engine itself, since it composes that reply.
 */
const SHARED_TEXTS: readonly {
  readonly key: CommonKey;
  readonly sent: (flow: Flow, wording: Wording) => boolean;
}[] = [
  { key: 'follow_up_go_ahead', sent: (flow) => Object.values(flow.steps).some(hasFollowUp) },
  { key: 'reask', sent: () => true },
  { key: 'move_on', sent: () => true },
  { key: 'skipped', sent: () => true },
  { key: 'language_changed', sent: (flow) => flow.languages.length > 1 },
  // Said after switching, so only ever in the easy-read wording.
  { key: 'variant_changed', sent: (_, wording) => wording.variant === 'plain' },
  { key: 'stopped', sent: () => true },
  { key: 'reminder', sent: (flow) => flow.reminderDelaysMs.length > 0 },
];

/** Every text this wording can send, made by the engine's own functions and renderForSms. */
function sentTexts(flow: Flow, wording: Wording, translate: Translate): SentTexts {
  const ctx: EngineContext = { now: LINT_TIME, translate };
  const options = {
    language: wording.language,
    variant: wording.variant,
    role: wording.role ?? undefined,
  };
  const started = startSession(flow, options, ctx);
  const speaker: Speaker = { flow, session: started.session, ctx };
  const message = (text: string): string => renderForSms({ type: 'message', text });
  const byStep = new Map<string, SentText[]>();
  const questions = new Map<string, string>();
  for (const [id, def] of Object.entries(flow.steps)) {
    const sent: SentText[] = [];
    if (isQuestion(def)) {
      const reply = renderQuestion(speaker, id, def);
      questions.set(id, reply.type === 'question' ? reply.text : '');
      sent.push({ id, text: renderForSms(reply) });
      // The first answer to an open question with a follow-up always gets "anything else?".
      if (def.ask === 'open' && typeof def.follow_up === 'string')
        sent.push({ id: `${id}.follow_up`, text: message(say(speaker, def.follow_up)) });
      else if (def.ask === 'open' && def.follow_up === true)
        sent.push({ id: 'common.follow_up', text: message(sayCommon(speaker, 'follow_up')) });
    } else if (def.say !== undefined) sent.push({ id, text: message(say(speaker, def.say)) });
    byStep.set(id, sent);
  }
  const shared: SentText[] = [];
  if (started.session.status === 'active') {
    const help = step(flow, started.session, { type: 'text', text: 'HELP' }, ctx).replies[0];
    if (help !== undefined) shared.push({ id: 'common.help', text: renderForSms(help) });
    for (const { key, sent } of SHARED_TEXTS)
      if (sent(flow, wording))
        shared.push({ id: `common.${key}`, text: message(sayCommon(speaker, key)) });
  }
  const all = new Map(
    [...byStep.values()]
      .flat()
      .concat(shared)
      .map((s) => [s.id, s]),
  );
  return { all: [...all.values()], byStep, questions };
}

function hasFollowUp(def: Flow['steps'][string]): boolean {
  return (
    isQuestion(def) && def.ask === 'open' && def.follow_up !== undefined && def.follow_up !== false
  );
}

function lintMessage(sent: SentText, language: string): MessageLint {
  const count = countSegments(sent.text);
  const forcedBy = count.encoding === 'UCS-2' ? nonGsmCharacters(sent.text) : [];
  const warnings: MessageWarning[] = [];
  if (count.segments > MAX_COMFORTABLE_SEGMENTS)
    warnings.push({
      code: 'over_two_segments',
      message: `${count.segments} segments; keep a message to ${MAX_COMFORTABLE_SEGMENTS}`,
    });
  if (count.encoding === 'UCS-2' && GSM_ALPHABET_LANGUAGES.has(language))
    warnings.push({
      code: 'ucs2_in_gsm_language',
      message: `UCS-2 in ${language}, forced by ${forcedBy.map(describeCharacter).join(', ')}`,
    });
  return { id: sent.id, text: sent.text, ...count, forcedBy, warnings };
}

function describeCharacter(char: string): string {
  const code = (char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
  return /\p{L}|\p{N}|\p{P}|\p{S}/u.test(char) ? `'${char}' (U+${code})` : `U+${code}`;
}

/** The advice rules a question text breaks, in its language. */
export function questionAdvice(
  text: string,
  language: string,
): { rule: AdviceRule['id']; advice: string; found: string }[] {
  // Curly apostrophes would hide "don’t you agree" from the phrases, which use straight ones.
  const straight = toGsmFriendly(text);
  return QUESTION_ADVICE_RULES.flatMap((rule) => {
    const match = rule.languages.includes(language) ? rule.pattern.exec(straight) : null;
    return match === null ? [] : [{ rule: rule.id, advice: rule.advice, found: match[0] }];
  });
}

/** Simple paths walked at most, so a flow with very many branches cannot stall the lint. */
const MAX_PATHS = 100_000;

/**
 * The simple path from start to an end step on which a respondent receives the most segments
 * (ties go to the path with more steps). Reminders, re-asks and HELP are not on it.
 */
function longestRun(flow: Flow, segmentsAt: (stepId: string) => number): Run | null {
  const found = { best: null as Omit<Run, 'exhaustive'> | null, paths: 0 };
  const path: string[] = [];
  const walk = (id: string, before: number): void => {
    const def = flow.steps[id];
    if (def === undefined || path.includes(id) || found.paths >= MAX_PATHS) return;
    path.push(id);
    const segments = before + segmentsAt(id);
    if (isEnd(def)) {
      found.paths++;
      const { best } = found;
      if (
        best === null ||
        segments > best.segments ||
        (segments === best.segments && path.length > best.steps.length)
      )
        found.best = { steps: [...path], segments };
    }
    for (const next of nextTargets(def)) walk(next, segments);
    path.pop();
  };
  walk(flow.start, 0);
  return found.best === null ? null : { ...found.best, exhaustive: found.paths < MAX_PATHS };
}

class LintOptionError extends Error {
  readonly code = 'lint_option_invalid';
}

function parseLintArgs(args: readonly string[]): {
  files: string[];
  options: LintOptions;
  json: boolean;
} {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      respondents: { type: 'string' },
      'price-per-segment': { type: 'string' },
      currency: { type: 'string' },
    },
  });
  const respondents = values.respondents ?? String(DEFAULT_LINT_OPTIONS.respondents);
  if (!/^\d+$/.test(respondents))
    throw new LintOptionError(`--respondents takes a whole number, not '${respondents}'`);
  const price = values['price-per-segment'] ?? String(DEFAULT_LINT_OPTIONS.pricePerSegment);
  if (!/^\d+(\.\d+)?$/.test(price))
    throw new LintOptionError(`--price-per-segment takes a price such as 0.0463, not '${price}'`);
  const currency = (values.currency ?? DEFAULT_LINT_OPTIONS.currency).toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency))
    throw new LintOptionError(
      `--currency takes a three-letter code such as GBP, not '${currency}'`,
    );
  return {
    files: positionals,
    options: { respondents: Number(respondents), pricePerSegment: Number(price), currency },
    json: values.json === true,
  };
}

/** `carevoice lint`: what each flow sends by SMS and what it costs; exit 1 only on invalid files. */
export function lint(
  args: readonly string[],
  config: Pick<Config, 'flowsDir' | 'localesDir'>,
  out: Writable,
  err: Writable,
): number {
  let parsed: ReturnType<typeof parseLintArgs>;
  try {
    parsed = parseLintArgs(args);
  } catch (error) {
    const fromParseArgs =
      error instanceof TypeError &&
      String((error as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS');
    if (!(error instanceof LintOptionError) && !fromParseArgs) throw error;
    err.write(`carevoice lint: ${error.message}\n`);
    return 1;
  }
  const report = lintFlows(parsed.files, config, parsed.options);
  report.problems.forEach((problem) => err.write(`${formatProblem(problem)}\n`));
  if (report.filesChecked === 0) err.write(`no flow files in ${config.flowsDir}\n`);
  out.write(parsed.json ? `${JSON.stringify(report, null, 2)}\n` : formatLintReport(report));
  return report.problems.length === 0 && report.filesChecked > 0 ? 0 : 1;
}

/** The report as aligned plain-text tables, for a terminal. */
export function formatLintReport(report: LintReport): string {
  const { respondents, pricePerSegment, currency } = report.pricing;
  const lines: string[] = [];
  for (const flow of report.flows) {
    lines.push(`${flow.id} (${flow.file})`);
    const rows = flow.wordings.flatMap((wording) =>
      wording.messages.map((m) => [
        wordingLabel(wording),
        m.id,
        m.encoding,
        String(m.characters),
        String(m.segments),
        m.warnings.map((warning) => `! ${warning.message}`).join('; '),
      ]),
    );
    const header = ['wording', 'message', 'encoding', 'chars', 'segments', 'note'];
    lines.push(...alignColumns([header, ...rows], [3, 4]).map((line) => `  ${line}`));
    if (flow.wordings.some((wording) => wording.onlyDifferences))
      lines.push('  (a role lists only the messages that differ from the wording without a role)');
    const run = flow.longestRun;
    if (run !== null) {
      const partial = run.exhaustive ? '' : ' (too many paths: not all were walked)';
      lines.push(
        `  longest full run: ${run.segments} segments (${wordingLabel(run)}): ${run.steps.join(' > ')}${partial}`,
      );
      const byWording = flow.wordings.flatMap((w) =>
        w.longestRun === null ? [] : [`${wordingLabel(w)} ${w.longestRun.segments}`],
      );
      lines.push(...wrap('  segments by wording: ', byWording));
      lines.push(
        `  cost estimate: ${respondents} respondents x ${run.segments} segments x ${pricePerSegment} ${currency} = ${flow.cost.total.toFixed(2)} ${currency}`,
      );
    }
    for (const advice of flow.advice)
      lines.push(
        `  advice: ${advice.messageId} (${wordingLabel(advice)}): "${advice.found}": ${advice.advice}`,
      );
    lines.push('');
  }
  const count = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const warnings = report.flows
    .flatMap((flow) => flow.wordings.flatMap((w) => w.messages))
    .reduce((sum, m) => sum + m.warnings.length, 0);
  const advice = report.flows.reduce((sum, flow) => sum + flow.advice.length, 0);
  lines.push(PRICE_NOTE);
  lines.push(
    `${report.flows.length} of ${count(report.filesChecked, 'flow file')} linted, ${count(report.problems.length, 'problem')}, ${count(warnings, 'warning')}, ${advice} advice`,
  );
  return `${lines.join('\n')}\n`;
}

function wordingLabel({ language, variant, role }: Wording): string {
  return [language, variant === 'plain' ? 'plain' : null, role].filter((p) => p !== null).join(' ');
}

/** Rows padded to their widest cell; the columns listed are numbers, so aligned right. */
function alignColumns(rows: readonly string[][], rightAligned: readonly number[]): string[] {
  const widths = rows.reduce<number[]>(
    (max, row) => row.map((cell, i) => Math.max(max[i] ?? 0, [...cell].length)),
    [],
  );
  return rows.map((row) =>
    row
      .map((cell, i) => {
        const pad = ' '.repeat((widths[i] ?? 0) - [...cell].length);
        return rightAligned.includes(i) ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd(),
  );
}

/** A list after a label, broken into lines of at most `width` characters. */
function wrap(label: string, items: readonly string[], width = 100): string[] {
  const lines: string[] = [];
  let line = label;
  for (const [i, item] of items.entries()) {
    const piece = i < items.length - 1 ? `${item}, ` : item;
    if (line.length + piece.length > width && line.trim() !== label.trim()) {
      lines.push(line.trimEnd());
      line = ' '.repeat(label.length);
    }
    line += piece;
  }
  lines.push(line.trimEnd());
  return lines;
}
