import { describe, expect, it } from 'vitest';
import { startSession, step } from '../src/engine/step.js';
import type { Input, StepResult } from '../src/engine/types.js';
import { responseRecordFor } from '../src/responses/record.js';
import { carerCheckIn, loadWithFixtureTexts } from './helpers/safeguarding-content.js';

const { flow, translate } = carerCheckIn();
const t0 = new Date('2026-11-26T10:00:00Z');
const ctx = (minutes: number) => ({ now: new Date(t0.getTime() + minutes * 60_000), translate });
const text = (value: string): Input => ({ type: 'text', text: value });
const source = { id: 'r1', respondent: 'ref', channel: 'sms' as const, endedAt: t0 };

function run(inputs: Input[], language = 'en'): StepResult {
  let result = startSession(flow, { language }, ctx(0));
  inputs.forEach((input, i) => {
    result = step(flow, result.session, input, ctx(i + 1));
  });
  return result;
}

describe('consent', () => {
  it('opens with the explanation and a yes/no question', () => {
    const started = startSession(flow, {}, ctx(0));
    expect(started.replies.map((r) => r.text)).toEqual([
      "Hello. The carers' service wants to know how you are managing.",
      expect.stringContaining('Do you agree to take part?'),
    ]);
    expect(started.replies[1]).toMatchObject({ ask: 'consent', hint: 'Reply YES or NO.' });
  });

  it('someone who declines ends kindly, with no answers and no response record', () => {
    const declined = run([text('no')]);
    expect(declined.session.status).toBe('declined');
    expect(declined.session.answers).toEqual({});
    expect(declined.session.consent).toBeUndefined();
    expect(declined.events).toEqual([{ type: 'consent_declined', stepId: 'consent' }]);
    expect(declined.replies.map((r) => r.text)).toEqual([
      "That's fine, we won't keep anything you sent. Thank you.",
    ]);
    expect(responseRecordFor(declined.session, true, source)).toBeUndefined();
    expect(step(flow, declined.session, text('my story'), ctx(5)).replies).toEqual([]);
  });

  it('SKIP, or two replies that are neither yes nor no, decline too', () => {
    expect(run([text('SKIP')]).session.status).toBe('declined');
    const unclear = run([text('maybe'), text('what is this')]);
    expect(unclear.session.status).toBe('declined');
    expect(unclear.session.answers).toEqual({});
  });

  it('records consent given: the wording, language, variant, version and time', () => {
    const agreed = run([text('yes')], 'cy');
    expect(agreed.events).toContainEqual({ type: 'consent_given', stepId: 'consent' });
    expect(agreed.session.consent).toEqual({
      stepId: 'consent',
      textKey: 'consent',
      language: 'cy',
      variant: 'standard',
      flowVersion: flow.version,
      at: ctx(1).now.toISOString(),
    });
    expect(agreed.session.answers).toEqual({});
    const done = run([
      { type: 'choice', stepId: 'consent', values: ['yes'] },
      text('ok'),
      text('4'),
    ]);
    expect(done.session.status).toBe('completed');
    expect(done.session.consent?.textKey).toBe('consent');
    expect(Object.keys(done.session.answers)).toEqual(['story', 'rating']);
  });

  it('must be the first question, once, with its declined text in every language', () => {
    const steps = (extra: string) =>
      `id: carer-check-in\ntitle: Check\nlevel: individual\nlanguages: [en]\nstart: story\nsteps:\n  story: { ask: open, next: consent }\n  consent: { ask: consent, next: thanks${extra} }\n  thanks: { end: true, say: thanks }\n`;
    const late = loadWithFixtureTexts(steps(''), 'carer-check-in', ['en']);
    expect(late.ok || late.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      "steps.consent: consent step 'consent' comes after the question 'story'",
    ]);
    const missing = loadWithFixtureTexts(
      steps(', declined: no_thanks')
        .replace('start: story', 'start: consent')
        .replace('next: consent', 'next: thanks')
        .replace('next: thanks, declined', 'next: story, declined'),
      'carer-check-in',
      ['en'],
    );
    expect(missing.ok || missing.problems.map((p) => p.message)).toEqual([
      "text 'no_thanks' is missing in locales/en/carer-check-in.json",
    ]);
  });
});
