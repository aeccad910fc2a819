import type { QuestionStepDef } from '../flow/schema.js';
import { optionTextKey, stepTextKey } from '../flow/steps.js';
import type { Flow } from '../flow/flow.js';
import {
  isNothingMore,
  parseChoice,
  parseNumber,
  parseScale,
  parseYesNo,
  type ChoiceOption,
} from './answers/index.js';
import {
  COMMON_NAMESPACE,
  type AnswerValue,
  type EngineContext,
  type Input,
  type Reply,
  type ReplyOption,
  type Session,
} from './types.js';

export type Reading =
  { readonly kind: 'answer'; readonly value: AnswerValue } | { readonly kind: 'unclear' };

export interface Speaker {
  readonly flow: Flow;
  readonly session: Session;
  readonly ctx: EngineContext;
}

/** Wording in the session's language, variant and role, with the invitation's values and the flow title. */
export function say(
  speaker: Speaker,
  key: string,
  params: Record<string, string | number> = {},
  namespace = speaker.flow.id,
  language = speaker.session.language,
): string {
  const { session, ctx } = speaker;
  return ctx.translate({
    namespace,
    key,
    language,
    variant: session.variant,
    role: session.role,
    params: { title: flowTitle(speaker), ...session.params, ...params },
  });
}

/** The flow's title in the respondent's language (every language has a `title` text). */
function flowTitle({ flow, session, ctx }: Speaker): string {
  return ctx.translate({
    namespace: flow.id,
    key: 'title',
    language: session.language,
    variant: session.variant,
    role: undefined,
  });
}

export function sayCommon(
  speaker: Speaker,
  key: string,
  params: Record<string, string | number> = {},
): string {
  return say(speaker, key, params, COMMON_NAMESPACE);
}

/** The options a question offers, labelled in the respondent's language (or another). */
export function questionOptions(
  speaker: Speaker,
  step: QuestionStepDef,
  language = speaker.session.language,
): ReplyOption[] {
  switch (step.ask) {
    case 'choice':
      return step.options.map((key) => {
        const text = optionTextKey(step, key);
        return text.namespace === 'common'
          ? { key, label: say(speaker, text.key, {}, COMMON_NAMESPACE, key) }
          : { key, label: say(speaker, text.key, {}, speaker.flow.id, language) };
      });
    case 'yes_no':
    case 'consent':
      return ['yes', 'no'].map((key) => ({
        key,
        label: say(speaker, key, {}, COMMON_NAMESPACE, language),
      }));
    case 'scale': {
      const [low, high] = step.range;
      return Array.from({ length: high - low + 1 }, (_, i) => ({
        key: String(low + i),
        label: String(low + i),
      }));
    }
    case 'number':
    case 'open':
      return [];
  }
}

/** A question as a structured reply: channels number the options or show buttons. */
export function renderQuestion(speaker: Speaker, id: string, step: QuestionStepDef): Reply {
  return {
    type: 'question',
    stepId: id,
    ask: step.ask,
    text: say(speaker, stepTextKey(id, step) ?? id),
    hint: questionHint(speaker, step),
    options: questionOptions(speaker, step),
    multiple: step.ask === 'choice' && step.multiple === true,
  };
}

function questionHint(speaker: Speaker, step: QuestionStepDef): string | undefined {
  switch (step.ask) {
    case 'choice':
      return sayCommon(speaker, step.multiple === true ? 'hint_choice_multiple' : 'hint_choice');
    case 'yes_no':
    case 'consent':
      return sayCommon(speaker, 'hint_yes_no');
    case 'scale': {
      const [min, max] = step.range;
      if (step.labels === undefined)
        return sayCommon(speaker, 'hint_scale_unlabelled', { min, max });
      const [low, high] = step.labels.map((key) => say(speaker, key));
      return sayCommon(speaker, 'hint_scale', { min, max, low: low ?? '', high: high ?? '' });
    }
    case 'number':
      return step.min !== undefined && step.max !== undefined
        ? sayCommon(speaker, 'hint_number_range', { min: step.min, max: step.max })
        : sayCommon(speaker, 'hint_number');
    case 'open':
      return undefined;
  }
}

/** What the respondent's input means for this question; `unclear` is never guessed past. */
export function readAnswer(speaker: Speaker, step: QuestionStepDef, input: Input): Reading {
  if (input.type === 'choice') return readTapped(step, input.values);
  const text = input.text.trim();
  const language = speaker.session.language;
  const found = ((): AnswerValue | undefined => {
    switch (step.ask) {
      case 'open':
        return text === '' ? undefined : text;
      case 'yes_no':
      case 'consent':
        return parseYesNo(text, language);
      case 'choice': {
        const multiple = step.multiple === true;
        const keys = inEachLanguage(speaker, (lang) =>
          parseChoice(text, questionOptions(speaker, step, lang), lang, multiple),
        );
        return keys === undefined || multiple ? keys : keys[0];
      }
      case 'scale': {
        const [min, max] = step.range;
        return parseScale(text, language, min, max) ?? scaleEndByLabel(speaker, step, text);
      }
      case 'number': {
        const value = parseNumber(text, language);
        if (value === undefined) return undefined;
        if (
          (step.min !== undefined && value < step.min) ||
          (step.max !== undefined && value > step.max)
        )
          return undefined;
        return step.integer === true && !Number.isInteger(value) ? undefined : value;
      }
    }
  })();
  return found === undefined ? { kind: 'unclear' } : { kind: 'answer', value: found };
}

/** True when an open answer's extra message means "nothing more to add". */
export function endsStory(speaker: Speaker, text: string): boolean {
  return isNothingMore(text, speaker.session.language);
}

function readTapped(step: QuestionStepDef, values: readonly string[]): Reading {
  switch (step.ask) {
    case 'choice': {
      const valid = step.options.filter((option) => values.includes(option));
      const ok =
        valid.length === values.length &&
        valid.length > 0 &&
        (step.multiple === true || valid.length === 1);
      return ok
        ? { kind: 'answer', value: step.multiple === true ? valid : (valid[0] as string) }
        : { kind: 'unclear' };
    }
    case 'yes_no':
    case 'consent':
      return values.length === 1 && (values[0] === 'yes' || values[0] === 'no')
        ? { kind: 'answer', value: values[0] }
        : { kind: 'unclear' };
    case 'scale': {
      const value = Number(values[0]);
      const [min, max] = step.range;
      return values.length === 1 && Number.isInteger(value) && value >= min && value <= max
        ? { kind: 'answer', value }
        : { kind: 'unclear' };
    }
    case 'number':
    case 'open':
      return { kind: 'unclear' };
  }
}

/** Labels are tried in the respondent's language first, then in the flow's default language. */
function inEachLanguage(
  speaker: Speaker,
  read: (language: string) => string[] | undefined,
): string[] | undefined {
  const languages = new Set([
    speaker.session.language,
    speaker.flow.languages[0] ?? speaker.session.language,
  ]);
  for (const language of languages) {
    const keys = read(language);
    if (keys !== undefined && keys.length > 0) return keys;
  }
  return undefined;
}

/** "very good" for a 1 to 5 scale labelled very poor to very good means 5. */
function scaleEndByLabel(
  speaker: Speaker,
  step: Extract<QuestionStepDef, { ask: 'scale' }>,
  text: string,
): number | undefined {
  if (step.labels === undefined) return undefined;
  const [min, max] = step.range;
  const ends: ChoiceOption[] = [
    { key: String(min), label: say(speaker, step.labels[0]) },
    { key: String(max), label: say(speaker, step.labels[1]) },
  ];
  const picked = parseChoice(text, ends, speaker.session.language, false);
  return picked?.length === 1 ? Number(picked[0]) : undefined;
}
