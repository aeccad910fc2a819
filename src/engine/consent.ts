import type { Flow } from '../flow/flow.js';
import { consentDeclinedKey } from '../flow/consent.js';
import type { ConsentStepDef } from '../flow/schema.js';
import { stepTextKey } from '../flow/steps.js';
import { say } from './questions.js';
import { branch, enter, type Turn } from './turn.js';
import type { AnswerValue, EngineContext } from './types.js';

/**
 * The answer to a consent step. Yes is kept on the session (which wording, in which language,
 * of which version, when) and the flow goes on; no ends it. Neither is an answer to the
 * consultation, so nothing is saved under `answers`.
 */
export function answerConsent(
  flow: Flow,
  turn: Turn,
  step: ConsentStepDef,
  value: AnswerValue,
  ctx: EngineContext,
): void {
  const id = turn.session.stepId;
  if (value !== 'yes') {
    declineConsent(flow, turn, step, ctx);
    return;
  }
  const { session } = turn;
  turn.session = {
    ...session,
    consent: {
      stepId: id,
      textKey: stepTextKey(id, step) ?? id,
      language: session.language,
      variant: session.variant,
      flowVersion: session.flowVersion,
      at: ctx.now.toISOString(),
    },
  };
  turn.events.push({ type: 'consent_given', stepId: id });
  enter(flow, turn, branch(step, value), ctx);
}

/**
 * No, SKIP, or two replies that were neither: the conversation ends kindly as `declined`,
 * with no answers. The consent step is the first question, so there are none to drop.
 */
export function declineConsent(
  flow: Flow,
  turn: Turn,
  step: ConsentStepDef,
  ctx: EngineContext,
): void {
  const id = turn.session.stepId;
  turn.session = { ...turn.session, status: 'declined', answers: {} };
  turn.replies.push({
    type: 'message',
    text: say({ flow, session: turn.session, ctx }, consentDeclinedKey(id, step)),
  });
  turn.events.push({ type: 'consent_declined', stepId: id });
}
