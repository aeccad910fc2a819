import { describe, expect, it } from 'vitest';
import { startSession, step, MAX_UNCLEAR_REPLIES } from '../src/engine/step.js';
import { MAX_STEPS_PER_INPUT } from '../src/engine/turn.js';
import { EngineError } from '../src/engine/errors.js';
import { MAX_FOLLOW_UPS } from '../src/flow/schema.js';
import type { Flow } from '../src/flow/flow.js';
import type { Input, Session, StepResult } from '../src/engine/types.js';
import { shippedContent } from './helpers/content.js';

const { flows, translate } = shippedContent();
const dayCentre = flows.get('day-centre-weekends') as Flow;
const t0 = new Date('2026-11-26T10:00:00Z');
const at = (minutes: number): { now: Date; translate: typeof translate } => ({
  now: new Date(t0.getTime() + minutes * 60_000),
  translate,
});
const text = (value: string): Input => ({ type: 'text', text: value });

function run(flow: Flow, inputs: Input[], session?: Session): StepResult {
  let result: StepResult =
    session === undefined ? startSession(flow, {}, at(0)) : { session, replies: [], events: [] };
  inputs.forEach((input, i) => {
    result = step(flow, result.session, input, at(i + 1));
  });
  return result;
}

describe('engine', () => {
  it('is pure: the same session and input give the same result, and the input session is untouched', () => {
    const started = startSession(dayCentre, { language: 'cy' }, at(0));
    const frozen = JSON.stringify(started.session);
    const a = step(dayCentre, started.session, text('2'), at(1));
    const b = step(dayCentre, started.session, text('2'), at(1));
    expect(a).toEqual(b);
    expect(JSON.stringify(started.session)).toBe(frozen);
    expect(a.session.revision).toBe(started.session.revision + 1);
  });

  it('takes a tapped button as the answer, and refuses a button for another question', () => {
    const started = startSession(dayCentre, {}, at(0));
    const wrong = step(
      dayCentre,
      started.session,
      { type: 'choice', stepId: 'role', values: ['nurse'] },
      at(1),
    );
    expect(wrong.events).toEqual([{ type: 'answer_unclear', stepId: 'role', attempt: 1 }]);
    const tapped = step(
      dayCentre,
      started.session,
      { type: 'choice', stepId: 'role', values: ['carer'] },
      at(1),
    );
    expect(tapped.session.role).toBe('carer');
    expect(tapped.session.stepId).toBe('story');
    const reply = tapped.replies[0];
    expect(reply?.type === 'question' && reply.text).toContain('as a carer');
  });

  it('ignores a button tapped on an earlier question', () => {
    const onStory = step(dayCentre, startSession(dayCentre, {}, at(0)).session, text('1'), at(1));
    const stale = step(
      dayCentre,
      onStory.session,
      { type: 'choice', stepId: 'role', values: ['carer'] },
      at(2),
    );
    expect(stale).toEqual({ session: onStory.session, replies: [], events: [] });
  });

  it('moves on after two unclear replies and records the question as unanswered, never a guess', () => {
    const result = run(
      dayCentre,
      Array.from({ length: MAX_UNCLEAR_REPLIES }, () => text('purple')),
    );
    expect(result.session.answers['role']).toEqual({
      status: 'unanswered',
      at: at(MAX_UNCLEAR_REPLIES).now.toISOString(),
    });
    expect(result.session.stepId).toBe('story');
  });

  it(`gathers at most ${MAX_FOLLOW_UPS} extra messages into one story, then moves on`, () => {
    const parts = Array.from({ length: MAX_FOLLOW_UPS + 1 }, (_, i) => text(`part ${i + 1}`));
    const result = run(dayCentre, [text('1'), ...parts]);
    const story = result.session.answers['story'];
    expect(story?.status === 'answered' && story.value).toBe(
      parts.map((p) => (p.type === 'text' ? p.text : '')).join('\n\n'),
    );
    expect(result.session.stepId).toBe('visits');
  });

  it('answers a bare "yes" after "anything else?" with an invitation to go on, not by storing "yes"', () => {
    const result = run(dayCentre, [text('1'), text('It is good'), text('yes')]);
    expect(result.replies.map((r) => (r.type === 'message' ? r.text : ''))).toEqual([
      'Please go ahead, we are listening.',
    ]);
    const story = result.session.answers['story'];
    expect(story?.status === 'answered' && story.value).toBe('It is good');
  });

  it('counts expiry from the last message, so someone who answers every few days carries on', () => {
    const started = run(dayCentre, [text('1')]);
    const nearlyExpired = new Date(Date.parse(started.session.expiresAt) - 1);
    const answered = step(dayCentre, started.session, text('My story'), {
      now: nearlyExpired,
      translate,
    });
    expect(answered.session.status).toBe('active');
    expect(Date.parse(answered.session.expiresAt)).toBe(
      nearlyExpired.getTime() + dayCentre.expiresAfterMs,
    );
  });

  it('expires a session whose time has passed, keeping the answers given', () => {
    const started = run(dayCentre, [text('1')]);
    const late = step(dayCentre, started.session, text('My story'), {
      now: new Date(Date.parse(started.session.expiresAt) + 1),
      translate,
    });
    expect(late.session.status).toBe('expired');
    expect(late.events).toEqual([{ type: 'flow_expired' }]);
    expect(late.replies).toEqual([]);
    expect(late.session.answers['role']?.status).toBe('answered');
  });

  it('opts out at once and then ignores everything', () => {
    const stopped = run(dayCentre, [text('STOP')]);
    expect(stopped.session.status).toBe('opted_out');
    expect(stopped.events).toEqual([{ type: 'opted_out' }]);
    const after = step(dayCentre, stopped.session, text('1'), at(5));
    expect(after.replies).toEqual([]);
    expect(after.session).toBe(stopped.session);
  });

  it('refuses a session pinned to another version of the flow', () => {
    const started = startSession(dayCentre, {}, at(0));
    expect(() =>
      step({ ...dayCentre, version: 'other' }, started.session, text('1'), at(1)),
    ).toThrow(EngineError);
  });

  it('halts rather than loops forever when a flow never waits', () => {
    const looping: Flow = {
      ...dayCentre,
      start: 'a',
      steps: { a: { say: 'welcome', next: 'b' }, b: { say: 'welcome', next: 'a' } },
    };
    const result = startSession(looping, {}, at(0));
    expect(result.session.status).toBe('halted');
    expect(result.events.at(-1)).toEqual({
      type: 'flow_halted',
      reason: 'step_limit',
      stepId: expect.any(String),
    });
    expect(result.replies).toHaveLength(MAX_STEPS_PER_INPUT);
  });

  it('lets a choice with sets: language switch the conversation', () => {
    const menu: Flow = {
      ...dayCentre,
      start: 'lang',
      steps: {
        ...dayCentre.steps,
        lang: { ask: 'choice', options: ['en', 'cy', 'pl'], sets: 'language', next: 'role' },
      },
    };
    const started = startSession(menu, {}, at(0));
    const question = started.replies[0];
    expect(question?.type === 'question' && question.options.map((o) => o.label)).toEqual([
      'English',
      'Cymraeg',
      'Polski',
    ]);
    const chosen = step(menu, started.session, text('Cymraeg'), at(1));
    expect(chosen.session.language).toBe('cy');
    expect(chosen.events).toContainEqual({ type: 'language_changed', language: 'cy' });
  });

  it('branches on a scale range and sends the default branch for anything else', () => {
    const branching: Flow = {
      ...dayCentre,
      start: 'rating',
      steps: {
        ...dayCentre.steps,
        rating: {
          ask: 'scale',
          range: [1, 5],
          save: 'rating',
          next: { '1-2': 'story', default: 'thanks' },
        },
      },
    };
    expect(run(branching, [text('2')]).session.stepId).toBe('story');
    expect(run(branching, [text('4')]).session.status).toBe('completed');
    expect(run(branching, [text('SKIP')]).session.status).toBe('completed');
  });

  it('speaks the flow title in the respondent language in HELP', () => {
    const help = step(
      dayCentre,
      startSession(dayCentre, { language: 'cy' }, at(0)).session,
      text('help'),
      at(1),
    );
    const message = help.replies[0];
    expect(message?.type === 'message' && message.text).toContain('Canolfan ddydd');
  });
});
