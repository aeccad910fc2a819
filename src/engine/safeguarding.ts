import type { Flow } from '../flow/flow.js';
import { findConcern, type ConcernMatch, type PhraseList } from '../safeguarding/matcher.js';
import {
  SAFEGUARDING_NAMESPACE,
  UK_SIGNPOSTING,
  signpostingText,
} from '../safeguarding/signposting.js';
import { say, type Speaker } from './questions.js';
import type { Turn } from './turn.js';
import type { EngineContext, EngineEvent, Reply, Session, StepResult } from './types.js';

type Conversation = Extract<EngineEvent, { type: 'concern_raised' }>['conversation'];

/**
 * Matches a message against the flow's safeguarding lists: every language screened, the
 * respondent's own first. Runs before anything reads the message as an answer or a command.
 */
export function screenMessage(
  flow: Flow,
  session: Session,
  text: string,
): ConcernMatch | undefined {
  const { lists } = flow.safeguarding;
  const own = lists.findIndex((list) => list.language === session.language);
  if (own <= 0) return findConcern(text, lists);
  return findConcern(text, [lists[own] as PhraseList, ...lists.filter((_, i) => i !== own)]);
}

/**
 * Puts the signposting first in a turn that handled a message with a concern in it, and the
 * `concern_raised` event before the others, so adapters see it whatever else happened.
 */
export function withSignposting(
  flow: Flow,
  turn: Turn,
  waitingStep: string,
  match: ConcernMatch,
  ctx: EngineContext,
): Turn {
  const paused = turn.events.some((e) => e.type === 'flow_halted' && e.reason === 'concern');
  const conversation: Conversation =
    turn.session.status === 'active' ? 'continues' : paused ? 'paused' : 'ended';
  const speaker: Speaker = { flow, session: turn.session, ctx };
  return {
    session: turn.session,
    replies: [...signposting(speaker, conversation), ...turn.replies],
    events: [concernEvent(waitingStep, match, conversation), ...turn.events],
  };
}

/**
 * A concern in a message from someone whose conversation is over (a "thank you, and by the
 * way..."): the same signposting and event, the session untouched. Undefined when the message
 * holds no concern.
 */
export function screenAfterEnd(
  flow: Flow,
  session: Session,
  text: string,
  ctx: EngineContext,
): StepResult | undefined {
  if (session.status === 'active') return undefined;
  const match = screenMessage(flow, session, text);
  if (match === undefined) return undefined;
  return {
    session,
    replies: signposting({ flow, session, ctx }, 'ended'),
    events: [concernEvent(session.stepId, match, 'ended')],
  };
}

/** Where to get help now, then what happens to the conversation. */
export function signposting(speaker: Speaker, conversation: Conversation): Reply[] {
  const { key, params } = signpostingText(speaker.ctx.signposting ?? UK_SIGNPOSTING);
  const next = conversation === 'paused' ? 'concern_paused' : 'concern_noted';
  return [
    { type: 'message', text: say(speaker, key, params, SAFEGUARDING_NAMESPACE) },
    { type: 'message', text: say(speaker, next, {}, SAFEGUARDING_NAMESPACE) },
  ];
}

function concernEvent(
  stepId: string,
  match: ConcernMatch,
  conversation: Conversation,
): EngineEvent {
  return {
    type: 'concern_raised',
    stepId,
    category: match.category,
    language: match.language,
    conversation,
  };
}
