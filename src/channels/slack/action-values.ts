/**
 * What a button or checkbox carries back to us: the step and the option key, nothing the
 * person wrote and nothing about them. `action_id`s only need to be unique within a message.
 *
 * | element              | action_id        | value                      |
 * | -------------------- | ---------------- | -------------------------- |
 * | answer button        | `cv_answer_<n>`  | `v1\|<step id>\|<option>`  |
 * | checkboxes (toggles) | `cv_pick_<n>`    | options: `v1\|<step>\|<option>` |
 * | Done (multiple)      | `cv_done`        | `v1\|<step id>`            |
 */
export const ANSWER_ACTION_PREFIX = 'cv_answer_';
export const PICK_ACTION_PREFIX = 'cv_pick_';
export const DONE_ACTION_ID = 'cv_done';

const VERSION = 'v1';
/** Step ids and option keys of valid flows (scale keys are numbers, possibly negative). */
const STEP_ID = /^[a-z][a-z0-9_-]{0,99}$/;
const OPTION_KEY = /^-?[A-Za-z0-9_]{1,100}$/;

export function answerValue(stepId: string, optionKey: string): string {
  return `${VERSION}|${stepId}|${optionKey}`;
}

export function doneValue(stepId: string): string {
  return `${VERSION}|${stepId}`;
}

/** The step and option of an answer value, or undefined when it is not one of ours. */
export function readAnswerValue(
  value: string,
): { readonly stepId: string; readonly optionKey: string } | undefined {
  const [version, stepId, optionKey, ...rest] = value.split('|');
  if (version !== VERSION || rest.length > 0 || stepId === undefined || optionKey === undefined)
    return undefined;
  return STEP_ID.test(stepId) && OPTION_KEY.test(optionKey) ? { stepId, optionKey } : undefined;
}

export function readDoneValue(value: string): { readonly stepId: string } | undefined {
  const [version, stepId, ...rest] = value.split('|');
  if (version !== VERSION || rest.length > 0 || stepId === undefined) return undefined;
  return STEP_ID.test(stepId) ? { stepId } : undefined;
}
