import type { Flow, Variant } from '../flow/flow.js';
import type { QuestionStepDef, StepDef } from '../flow/schema.js';
import { DEFAULT_BRANCH, isQuestion, numericBranch, saveName } from '../flow/steps.js';
import { renderQuestion, say, type Speaker } from './questions.js';
import type {
  Answer,
  AnswerValue,
  EngineContext,
  EngineEvent,
  Reply,
  Session,
  StepResult,
} from './types.js';

/** Steps passed through for one input; a guard against flows that would never wait. */
export const MAX_STEPS_PER_INPUT = 100;

/** A working copy: the pure functions below build one result from it. */
export interface Turn {
  session: Session;
  readonly replies: Reply[];
  readonly events: EngineEvent[];
}

/** Runs from a step through messages until a question waits or the flow ends. */
export function enter(flow: Flow, turn: Turn, first: string, ctx: EngineContext): void {
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
export function branch(step: QuestionStepDef, value: AnswerValue | undefined): string {
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

export function record(turn: Turn, id: string, step: QuestionStepDef, result: Answer): void {
  const name = saveName(id, step);
  turn.session = { ...turn.session, answers: { ...turn.session.answers, [name]: result } };
  turn.events.push({ type: 'answer_saved', stepId: id, name, answer: result });
}

/** A choice with `sets:` changes the wording for the rest of the conversation. */
export function applySetting(turn: Turn, step: QuestionStepDef, value: AnswerValue): void {
  if (step.ask !== 'choice' || typeof value !== 'string') return;
  if (step.sets === 'role') turn.session = { ...turn.session, role: value };
  if (step.sets === 'language') {
    turn.session = { ...turn.session, language: value };
    turn.events.push({ type: 'language_changed', language: value });
  }
  if (step.sets === 'variant') setVariant(turn, value === 'plain' ? 'plain' : 'standard');
}

export function setVariant(turn: Turn, variant: Variant): void {
  turn.session = { ...turn.session, variant };
  turn.events.push({ type: 'variant_changed', variant });
}

export function halt(
  turn: Turn,
  reason: 'step_limit' | 'missing_step' | 'concern',
  stepId: string,
): void {
  turn.session = { ...turn.session, status: 'halted' };
  turn.events.push({ type: 'flow_halted', reason, stepId });
}

/**
 * Seals a turn: a new revision, and while the session waits, an expiry counted from now,
 * so a carer who answers every few days is never cut off mid-way.
 */
export function finish(flow: Flow, turn: Turn, ctx: EngineContext): StepResult {
  const waiting = turn.session.status === 'active';
  const session = {
    ...turn.session,
    updatedAt: ctx.now.toISOString(),
    expiresAt: waiting
      ? new Date(ctx.now.getTime() + flow.expiresAfterMs).toISOString()
      : turn.session.expiresAt,
    revision: turn.session.revision + 1,
  };
  return { session, replies: turn.replies, events: turn.events };
}
