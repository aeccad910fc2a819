import type { ChoiceStepDef, QuestionStepDef, StepDef } from './schema.js';

/** The key in a `next:` map that catches skipped, unclear and unlisted answers. */
export const DEFAULT_BRANCH = 'default';

export function isQuestion(step: StepDef): step is QuestionStepDef {
  return 'ask' in step;
}

export function isEnd(step: StepDef): boolean {
  return 'end' in step;
}

/** The step ids a step can lead to. */
export function nextTargets(step: StepDef): string[] {
  if (!('next' in step) || step.next === undefined) return [];
  return typeof step.next === 'string' ? [step.next] : [...new Set(Object.values(step.next))];
}

/** The text key a step speaks: `say:` for messages, `text:` or the step id for questions. */
export function stepTextKey(id: string, step: StepDef): string | undefined {
  if (isQuestion(step)) return step.text ?? id;
  return step.say;
}

/** Where a question's answer is stored: its `save:` name, else the step id. */
export function saveName(id: string, step: QuestionStepDef): string {
  return ('save' in step ? step.save : undefined) ?? id;
}

/** Option keys whose label comes from the shared namespace rather than the flow's. */
export function optionTextKey(
  step: ChoiceStepDef,
  option: string,
): { namespace: 'common' | 'flow'; key: string } {
  return step.sets === 'language'
    ? { namespace: 'common', key: 'language_name' }
    : { namespace: 'flow', key: `options.${option}` };
}

/** A numeric branch key: `3` or a range `1-2`. */
export function numericBranch(key: string): { min: number; max: number } | undefined {
  const match = /^(-?\d+(?:\.\d+)?)(?:\s*-\s*(-?\d+(?:\.\d+)?))?$/.exec(key);
  if (match === null) return undefined;
  const min = Number(match[1]);
  const max = match[2] === undefined ? min : Number(match[2]);
  return min <= max ? { min, max } : undefined;
}
