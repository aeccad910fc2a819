import type { Flow } from '../flow/flow.js';
import type { QuestionStepDef, StepDef } from '../flow/schema.js';
import { isQuestion, saveName } from '../flow/steps.js';
import { MAX_FOLLOW_UPS } from '../flow/schema.js';
import { parseYesNo } from './answers/index.js';
import { EngineError } from './errors.js';
import { answerConsent, declineConsent } from './consent.js';
import { handleGlobalWord } from './global-words.js';
import {
  endsStory,
  readAnswer,
  renderQuestion,
  sayCommon,
  say,
  type Speaker,
} from './questions.js';
import { screenMessage, withSignposting } from './safeguarding.js';
import { applySetting, branch, enter, finish, halt, record, type Turn } from './turn.js';
import type { EngineContext, Input, Session, StartOptions, StepResult } from './types.js';

/** Unclear replies to one question before it is recorded as unanswered and the flow moves on. */
export const MAX_UNCLEAR_REPLIES = 2;

/**
 * Opens a session on a flow and runs it to its first question.
 * Pure: the time and the wording come in through `ctx`.
 */
export function startSession(flow: Flow, options: StartOptions, ctx: EngineContext): StepResult {
  const now = ctx.now.toISOString();
  const language =
    options.language !== undefined && flow.languages.includes(options.language)
      ? options.language
      : (flow.languages[0] as string);
  const session: Session = {
    flowId: flow.id,
    flowVersion: flow.version,
    status: 'active',
    stepId: flow.start,
    language,
    variant: options.variant === 'plain' && flow.variants.includes('plain') ? 'plain' : 'standard',
    role:
      options.role !== undefined && flow.roles.includes(options.role) ? options.role : undefined,
    attempts: 0,
    followUps: 0,
    answers: {},
    params: options.params ?? {},
    startedAt: now,
    updatedAt: now,
    expiresAt: new Date(ctx.now.getTime() + flow.expiresAfterMs).toISOString(),
    revision: options.previousRevision ?? 0,
  };
  const turn: Turn = {
    session,
    replies: [],
    events: [{ type: 'flow_started', flowId: flow.id, flowVersion: flow.version }],
  };
  enter(flow, turn, flow.start, ctx);
  return finish(flow, turn, ctx);
}

/**
 * Takes one input from the respondent. Typed text is screened for safeguarding phrases first,
 * whatever the step and even if it also holds a command ("STOP he hits me" signposts, then
 * stops). Then global words (STOP, HELP, SKIP, a language), then the answer to the question.
 */
export function step(flow: Flow, session: Session, input: Input, ctx: EngineContext): StepResult {
  checkPinned(flow, session);
  if (session.status !== 'active') return { session, replies: [], events: [] };
  // A button left on an earlier question (answered meanwhile by typing, or from another
  // device) must not answer the question now waiting.
  if (input.type === 'choice' && input.stepId !== session.stepId)
    return { session, replies: [], events: [] };
  const concern = input.type === 'text' ? screenMessage(flow, session, input.text) : undefined;
  const turn: Turn = { session, replies: [], events: [] };
  if (ctx.now.getTime() >= Date.parse(session.expiresAt)) {
    turn.session = { ...session, status: 'expired' };
    turn.events.push({ type: 'flow_expired' });
  } else if (concern !== undefined && flow.safeguarding.then === 'pause') {
    halt(turn, 'concern', session.stepId);
  } else {
    take(flow, turn, input, ctx, concern !== undefined);
  }
  return finish(
    flow,
    concern === undefined ? turn : withSignposting(flow, turn, session.stepId, concern, ctx),
    ctx,
  );
}

/** `afterConcern`: the message raised a safeguarding concern and was signposted. */
function take(
  flow: Flow,
  turn: Turn,
  input: Input,
  ctx: EngineContext,
  afterConcern: boolean,
): void {
  const current = flow.steps[turn.session.stepId];
  if (current === undefined || !isQuestion(current)) {
    halt(turn, 'missing_step', turn.session.stepId);
    return;
  }
  if (input.type === 'text' && handleGlobalWord(flow, turn, current, input.text, ctx)) return;
  answer(flow, turn, current, input, ctx, afterConcern);
}

function answer(
  flow: Flow,
  turn: Turn,
  current: QuestionStepDef,
  input: Input,
  ctx: EngineContext,
  afterConcern: boolean,
): void {
  const id = turn.session.stepId;
  const speaker: Speaker = { flow, session: turn.session, ctx };
  const at = ctx.now.toISOString();

  if (current.ask === 'open' && turn.session.followUps > 0 && input.type === 'text') {
    gatherStory(flow, turn, id, current, input.text, ctx);
    return;
  }
  // A closed question is asked again after a disclosure, never answered by it ("I can't cope"
  // is not a no), and nobody who has just told us they are at risk is told they were unclear.
  if (afterConcern && current.ask !== 'open') {
    turn.replies.push(renderQuestion(speaker, id, current));
    return;
  }
  const reading = readAnswer(speaker, current, input);
  if (reading.kind === 'unclear') {
    const attempt = turn.session.attempts + 1;
    turn.events.push({ type: 'answer_unclear', stepId: id, attempt });
    if (attempt >= MAX_UNCLEAR_REPLIES && current.ask === 'consent') {
      declineConsent(flow, turn, current, ctx);
    } else if (attempt >= MAX_UNCLEAR_REPLIES) {
      turn.replies.push({ type: 'message', text: sayCommon(speaker, 'move_on') });
      record(turn, id, current, { status: 'unanswered', at });
      enter(flow, turn, branch(current, undefined), ctx);
    } else {
      turn.session = { ...turn.session, attempts: attempt };
      turn.replies.push({ type: 'message', text: sayCommon(speaker, 'reask') });
      turn.replies.push(renderQuestion(speaker, id, current));
    }
    return;
  }
  if (current.ask === 'consent') {
    answerConsent(flow, turn, current, reading.value, ctx);
    return;
  }
  record(turn, id, current, { status: 'answered', value: reading.value, at });
  applySetting(turn, current, reading.value);
  if (hasFollowUp(current)) {
    turn.session = { ...turn.session, followUps: 1 };
    turn.replies.push({
      type: 'message',
      text: followUpText({ flow, session: turn.session, ctx }, current),
    });
    return;
  }
  enter(flow, turn, branch(current, reading.value), ctx);
}

/** Further messages after "anything else?" join the story until the person says that is all. */
function gatherStory(
  flow: Flow,
  turn: Turn,
  id: string,
  current: QuestionStepDef & { ask: 'open' },
  text: string,
  ctx: EngineContext,
): void {
  const speaker: Speaker = { flow, session: turn.session, ctx };
  if (endsStory(speaker, text)) {
    enter(flow, turn, branch(current, undefined), ctx);
    return;
  }
  if (parseYesNo(text, turn.session.language) === 'yes') {
    turn.replies.push({ type: 'message', text: sayCommon(speaker, 'follow_up_go_ahead') });
    return;
  }
  const name = saveName(id, current);
  const previous = turn.session.answers[name];
  const story =
    previous?.status === 'answered' ? `${String(previous.value)}\n\n${text.trim()}` : text.trim();
  record(turn, id, current, { status: 'answered', value: story, at: ctx.now.toISOString() });
  const followUps = turn.session.followUps + 1;
  if (followUps > MAX_FOLLOW_UPS) {
    enter(flow, turn, branch(current, undefined), ctx);
    return;
  }
  turn.session = { ...turn.session, followUps };
  turn.replies.push({
    type: 'message',
    text: followUpText({ flow, session: turn.session, ctx }, current),
  });
}

/** An open question that asks "anything else?" after its first answer. */
export function hasFollowUp(def: StepDef): def is QuestionStepDef & { ask: 'open' } {
  return (
    isQuestion(def) && def.ask === 'open' && def.follow_up !== undefined && def.follow_up !== false
  );
}

/** The "anything else?" after an open answer: the step's own wording, or the common one. */
export function followUpText(speaker: Speaker, step: QuestionStepDef & { ask: 'open' }): string {
  return typeof step.follow_up === 'string'
    ? say(speaker, step.follow_up)
    : sayCommon(speaker, 'follow_up');
}

/**
 * A nudge for someone who has not answered: a short reminder and the question again.
 * The session itself does not change, so a reply that crosses the reminder is still taken.
 */
export function remind(flow: Flow, session: Session, ctx: EngineContext): StepResult {
  checkPinned(flow, session);
  const current = flow.steps[session.stepId];
  if (session.status !== 'active' || current === undefined || !isQuestion(current)) {
    return { session, replies: [], events: [] };
  }
  const speaker: Speaker = { flow, session, ctx };
  return {
    session,
    replies: [
      { type: 'message', text: sayCommon(speaker, 'reminder') },
      renderQuestion(speaker, session.stepId, current),
    ],
    events: [{ type: 'reminder_sent', stepId: session.stepId }],
  };
}

/** Ends a session nobody answered in time; the answers given so far are kept. */
export function expire(flow: Flow, session: Session, ctx: EngineContext): StepResult {
  checkPinned(flow, session);
  if (session.status !== 'active') return { session, replies: [], events: [] };
  const turn: Turn = {
    session: { ...session, status: 'expired' },
    replies: [],
    events: [{ type: 'flow_expired' }],
  };
  return finish(flow, turn, ctx);
}

function checkPinned(flow: Flow, session: Session): void {
  if (session.flowId !== flow.id) {
    throw new EngineError(
      'session_flow_mismatch',
      `session is on flow '${session.flowId}', not '${flow.id}'`,
    );
  }
  if (session.flowVersion !== flow.version) {
    throw new EngineError(
      'flow_version_mismatch',
      `session is pinned to version ${session.flowVersion} of '${flow.id}', got ${flow.version}`,
    );
  }
}
