import type { Locate, ParsedFlow } from './parse.js';
import { joinPath, type FlowProblem } from './problems.js';
import type { ConsentStepDef, StepDef } from './schema.js';
import { isQuestion } from './steps.js';

/** The text said to someone who declines: the step's `declined:` key, or `<step>_declined`. */
export function consentDeclinedKey(id: string, step: ConsentStepDef): string {
  return step.declined ?? `${id}_declined`;
}

/**
 * A consent step asks before anything is kept, so it must be the first question (only messages
 * may come before it), and a flow asks for consent once.
 *
 * ```yaml
 * start: consent
 * steps:
 *   consent: { ask: consent, next: role }
 * ```
 */
export function checkConsentSteps(
  file: string,
  { header, steps }: ParsedFlow,
  locate: Locate,
): FlowProblem[] {
  const consentIds = Object.entries(steps)
    .filter(([, step]) => isQuestion(step) && step.ask === 'consent')
    .map(([id]) => id);
  if (consentIds.length === 0) return [];
  const problem = (id: string, message: string, fix: string): FlowProblem => {
    const path = ['steps', id];
    return { file, path: joinPath(path), message, fix, ...locate(path) };
  };
  if (consentIds.length > 1)
    return consentIds
      .slice(1)
      .map((id) =>
        problem(
          id,
          `a flow asks for consent once; '${consentIds[0] ?? ''}' already does`,
          'remove this step',
        ),
      );
  const first = firstQuestion(header.start, steps);
  const [id] = consentIds as [string];
  return first === id
    ? []
    : [
        problem(
          id,
          first === undefined
            ? `consent step '${id}' is never reached before the flow ends`
            : `consent step '${id}' comes after the question '${first}'`,
          'make it the first question: start the flow with it, or with messages that lead to it',
        ),
      ];
}

/** The first question reached from `start` through messages, if any. */
function firstQuestion(
  start: string,
  steps: Readonly<Record<string, StepDef>>,
): string | undefined {
  const seen = new Set<string>();
  for (let id: string | undefined = start; id !== undefined && !seen.has(id);) {
    seen.add(id);
    const step: StepDef | undefined = steps[id];
    if (step === undefined || 'end' in step) return undefined;
    if (isQuestion(step)) return id;
    id = step.next;
  }
  return undefined;
}
