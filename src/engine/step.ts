import type { Flow, Variant } from '../flow/flow.js';
import type { QuestionStepDef, StepDef } from '../flow/schema.js';
import { DEFAULT_BRANCH, isQuestion, numericBranch, saveName } from '../flow/steps.js';
import { MAX_FOLLOW_UPS } from '../flow/schema.js';
import { matchGlobalWord, parseYesNo } from './answers/index.js';
import { EngineError } from './errors.js';
import {
  endsStory,
  readAnswer,
  renderQuestion,
  sayCommon,
  say,
  type Speaker,
} from './questions.js';
import type {
  Answer,
  AnswerValue,
  EngineContext,
  EngineEvent,
  Input,
  Reply,
  Session,
  StartOptions,
  StepResult,
} from './types.js';

/** Unclear replies to one question before it is recorded as unanswered and the flow moves on. */
export const MAX_UNCLEAR_REPLIES = 2;
/** Steps passed through for one input; a guard against flows that would never wait. */
export const MAX_STEPS_PER_INPUT = 100;

/** A working copy: the pure functions below build one result from it. */
interface Turn {
  session: Session;
  readonly replies: Reply[];
  readonly events: EngineEvent[];
}

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
    revision: 0,
  };
  const turn: Turn = {
    session,
    replies: [],
    events: [{ type: 'flow_started', flowId: flow.id, flowVersion: flow.version }],
  };
  enter(flow, turn, flow.start, ctx);
  return finish(turn, ctx);
}

/**
 * Takes one input from the respondent: global words first (STOP, HELP, SKIP, a language),
 * then the answer to the current question.
 */
export function step(flow: Flow, session: Session, input: Input, ctx: EngineContext): StepResult {
  if (session.flowId !== flow.id)
    throw new EngineError(
      'session_flow_mismatch',
      `session is on flow '${session.flowId}', not '${flow.id}'`,
    );
  if (session.flowVersion !== flow.version) {
    throw new EngineError(
      'flow_version_mismatch',
      `session is pinned to version ${session.flowVersion} of '${flow.id}', got ${flow.version}`,
    );
  }
  const turn: Turn = { session, replies: [], events: [] };
  if (session.status !== 'active') return { session, replies: [], events: [] };
  if (ctx.now.getTime() >= Date.parse(session.expiresAt)) {
    turn.session = { ...session, status: 'expired' };
    turn.events.push({ type: 'flow_expired' });
    return finish(turn, ctx);
  }
  const current = flow.steps[session.stepId];
  if (current === undefined || !isQuestion(current)) {
    halt(turn, 'missing_step', session.stepId);
    return finish(turn, ctx);
  }
  if (input.type === 'text' && handleGlobalWord(flow, turn, current, input.text, ctx))
    return finish(turn, ctx);
  answer(flow, turn, current, input, ctx);
  return finish(turn, ctx);
}

function handleGlobalWord(
  flow: Flow,
  turn: Turn,
  current: QuestionStepDef,
  text: string,
  ctx: EngineContext,
): boolean {
  const global = matchGlobalWord(text, flow.languages);
  if (global === undefined) return false;
  const speaker = (): Speaker => ({ flow, session: turn.session, ctx });
  const id = turn.session.stepId;
  switch (global.word) {
    case 'stop':
      turn.session = { ...turn.session, status: 'opted_out' };
      turn.replies.push({ type: 'message', text: sayCommon(speaker(), 'stopped') });
      turn.events.push({ type: 'opted_out' });
      return true;
    case 'help':
      turn.replies.push({ type: 'message', text: helpText(speaker()) });
      turn.replies.push(renderQuestion(speaker(), id, current));
      turn.events.push({ type: 'help_requested', stepId: id });
      return true;
    case 'language':
      turn.session = { ...turn.session, language: global.language };
      turn.replies.push({ type: 'message', text: sayCommon(speaker(), 'language_changed') });
      turn.replies.push(renderQuestion(speaker(), id, current));
      turn.events.push({ type: 'language_changed', language: global.language });
      return true;
    case 'plain':
      // Without an easy-read variant the words are an ordinary reply (an open answer, say).
      if (!flow.variants.includes('plain')) return false;
      setVariant(turn, 'plain');
      turn.replies.push({ type: 'message', text: sayCommon(speaker(), 'variant_changed') });
      turn.replies.push(renderQuestion(speaker(), id, current));
      return true;
    case 'skip':
      turn.replies.push({ type: 'message', text: sayCommon(speaker(), 'skipped') });
      record(turn, id, current, { status: 'skipped', at: ctx.now.toISOString() });
      enter(flow, turn, branch(current, undefined), ctx);
      return true;
  }
}

function answer(
  flow: Flow,
  turn: Turn,
  current: QuestionStepDef,
  input: Input,
  ctx: EngineContext,
): void {
  const id = turn.session.stepId;
  const speaker: Speaker = { flow, session: turn.session, ctx };
  const at = ctx.now.toISOString();

  if (current.ask === 'open' && turn.session.followUps > 0 && input.type === 'text') {
    gatherStory(flow, turn, id, current, input.text, ctx);
    return;
  }
  const reading = readAnswer(speaker, current, input);
  if (reading.kind === 'unclear') {
    const attempt = turn.session.attempts + 1;
    turn.events.push({ type: 'answer_unclear', stepId: id, attempt });
    if (attempt >= MAX_UNCLEAR_REPLIES) {
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
  record(turn, id, current, { status: 'answered', value: reading.value, at });
  applySetting(turn, current, reading.value);
  if (current.ask === 'open' && current.follow_up !== undefined && current.follow_up !== false) {
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

function followUpText(speaker: Speaker, step: QuestionStepDef & { ask: 'open' }): string {
  return typeof step.follow_up === 'string'
    ? say(speaker, step.follow_up)
    : sayCommon(speaker, 'follow_up');
}

/** Runs from a step through messages until a question waits or the flow ends. */
function enter(flow: Flow, turn: Turn, first: string, ctx: EngineContext): void {
  let id = first;
  for (let visited = 0; visited < MAX_STEPS_PER_INPUT; visited++) {
    const current: StepDef | undefined = flow.steps[id];
    if (current === undefined) {
      halt(turn, 'missing_step', id);
      return;
    }
    turn.session = { ...turn.session, stepId: id, attempts: 0, followUps: 0 };
    const speaker: Speaker = { flow, session: turn.session, ctx };
    if (isQuestion(current)) {
      turn.replies.push(renderQuestion(speaker, id, current));
      return;
    }
    if (current.say !== undefined)
      turn.replies.push({ type: 'message', text: say(speaker, current.say) });
    if ('end' in current) {
      turn.session = { ...turn.session, status: 'completed' };
      turn.events.push({ type: 'flow_completed' });
      return;
    }
    id = current.next ?? '';
  }
  halt(turn, 'step_limit', id);
}

/** The next step for an answer; skipped and unclear answers take the `default` branch. */
function branch(step: QuestionStepDef, value: AnswerValue | undefined): string {
  const next = step.next ?? '';
  if (typeof next === 'string') return next;
  const fallback = next[DEFAULT_BRANCH] ?? '';
  if (value === undefined) return fallback;
  if (typeof value === 'number') {
    const hit = Object.entries(next).find(([key]) => {
      const range = numericBranch(key);
      return range !== undefined && value >= range.min && value <= range.max;
    });
    return hit?.[1] ?? fallback;
  }
  const chosen: readonly string[] = typeof value === 'string' ? [value] : value;
  const hit = Object.entries(next).find(([key]) => key !== DEFAULT_BRANCH && chosen.includes(key));
  return hit?.[1] ?? fallback;
}

function record(turn: Turn, id: string, step: QuestionStepDef, result: Answer): void {
  const name = saveName(id, step);
  turn.session = { ...turn.session, answers: { ...turn.session.answers, [name]: result } };
  turn.events.push({ type: 'answer_saved', stepId: id, name, answer: result });
}

/** A choice with `sets:` changes the wording for the rest of the conversation. */
function applySetting(turn: Turn, step: QuestionStepDef, value: AnswerValue): void {
  if (step.ask !== 'choice' || typeof value !== 'string') return;
  if (step.sets === 'role') turn.session = { ...turn.session, role: value };
  if (step.sets === 'language') {
    turn.session = { ...turn.session, language: value };
    turn.events.push({ type: 'language_changed', language: value });
  }
  if (step.sets === 'variant') setVariant(turn, value === 'plain' ? 'plain' : 'standard');
}

function setVariant(turn: Turn, variant: Variant): void {
  turn.session = { ...turn.session, variant };
  turn.events.push({ type: 'variant_changed', variant });
}

function helpText(speaker: Speaker): string {
  const { flow, session } = speaker;
  const lines = [sayCommon(speaker, 'help')];
  const others = flow.languages.filter((language) => language !== session.language);
  if (others.length > 0) {
    const names = others.map((language) =>
      speaker.ctx.translate({
        namespace: 'common',
        key: 'language_name',
        language,
        variant: session.variant,
        role: undefined,
      }),
    );
    lines.push(sayCommon(speaker, 'help_languages', { languages: names.join(', ') }));
  }
  if (flow.variants.includes('plain') && session.variant !== 'plain')
    lines.push(sayCommon(speaker, 'help_plain_offer'));
  return lines.join('\n');
}

function halt(turn: Turn, reason: 'step_limit' | 'missing_step', stepId: string): void {
  turn.session = { ...turn.session, status: 'halted' };
  turn.events.push({ type: 'flow_halted', reason, stepId });
}

function finish(turn: Turn, ctx: EngineContext): StepResult {
  const session = {
    ...turn.session,
    updatedAt: ctx.now.toISOString(),
    revision: turn.session.revision + 1,
  };
  return { session, replies: turn.replies, events: turn.events };
}
