import { describe, expect, it } from 'vitest';
import { screenAfterEnd } from '../src/engine/safeguarding.js';
import { startSession, step } from '../src/engine/step.js';
import type { EngineContext, Input, Reply, StepResult } from '../src/engine/types.js';
import type { Flow } from '../src/flow/flow.js';
import { UK_SIGNPOSTING } from '../src/safeguarding/signposting.js';
import { loadFlowSource } from '../src/flow/load.js';
import { catalogWith, shippedContent } from './helpers/content.js';
import { carerCheckIn, loadWithFixtureTexts } from './helpers/safeguarding-content.js';

const { flows, translate } = shippedContent();
const dayCentre = flows.get('day-centre-weekends') as Flow;
const t0 = new Date('2026-11-26T10:00:00Z');
const ctx = (minutes = 0, extra: Partial<EngineContext> = {}): EngineContext => ({
  now: new Date(t0.getTime() + minutes * 60_000),
  translate,
  ...extra,
});
const text = (value: string): Input => ({ type: 'text', text: value });
const texts = (result: StepResult): string[] => result.replies.map((reply: Reply) => reply.text);

/** A day-centre session in `language`, moved on by `inputs`. */
function dayCentreAt(
  inputs: string[],
  options: Parameters<typeof startSession>[1] = {},
): StepResult {
  let result = startSession(dayCentre, options, ctx());
  inputs.forEach((input, i) => {
    result = step(dayCentre, result.session, text(input), ctx(i + 1));
  });
  return result;
}

describe('safeguarding in the engine', () => {
  it('signposts a disclosure in an open answer, keeps the answer and carries on (then: continue)', () => {
    const atStory = dayCentreAt(['1']);
    const result = step(
      dayCentre,
      atStory.session,
      text('The staff are kind but he hits me at home'),
      ctx(5),
    );
    expect(result.events[0]).toEqual({
      type: 'concern_raised',
      stepId: 'story',
      category: 'abuse',
      language: 'en',
      conversation: 'continues',
    });
    const [help, after, followUp] = texts(result);
    expect(help).toContain('call 999');
    expect(help).toContain('NHS 111');
    expect(help).toContain('Samaritans free on 116 123');
    expect(after).toContain('We have told the team');
    expect(followUp).toContain('anything else');
    expect(result.session.status).toBe('active');
    expect(result.session.answers['story']).toMatchObject({ status: 'answered' });
  });

  it('does not take a disclosure as the answer to a yes/no question, nor call it unclear: the question is asked again', () => {
    const atWeekends = dayCentreAt(['1', 'It is fine', 'no', '3']);
    expect(atWeekends.session.stepId).toBe('weekends');
    const result = step(dayCentre, atWeekends.session, text("I can't cope any more"), ctx(9));
    expect(result.events.map((e) => e.type)).toEqual(['concern_raised']);
    expect(result.session.answers['weekends_wanted']).toBeUndefined();
    expect(texts(result)).toHaveLength(3);
    expect(texts(result)[2]).toContain('open at weekends');
    expect(texts(result).join(' ')).not.toContain('Sorry');
    expect(result.session.attempts).toBe(0);
  });

  it('screens before commands: "STOP he hits me" signposts; a bare STOP still only stops', () => {
    const atRole = dayCentreAt([]);
    const disclosed = step(dayCentre, atRole.session, text('STOP he hits me'), ctx(1));
    expect(disclosed.events[0]).toMatchObject({ type: 'concern_raised', category: 'abuse' });
    expect(texts(disclosed)[0]).toContain('116 123');
    const stopped = step(dayCentre, atRole.session, text('STOP'), ctx(1));
    expect(stopped.events).toEqual([{ type: 'opted_out' }]);
  });

  it('screens every language the flow offers and English, and answers in the respondent’s own', () => {
    const welsh = dayCentreAt(['1'], { language: 'cy' });
    const inEnglish = step(dayCentre, welsh.session, text('i want to kill myself'), ctx(5));
    expect(inEnglish.events[0]).toMatchObject({ category: 'self_harm', language: 'en' });
    expect(texts(inEnglish)[0]).toContain('Diolch am ddweud wrthym');
    const english = dayCentreAt(['1']);
    const inPolish = step(dayCentre, english.session, text('Mąż mnie bije'), ctx(5));
    expect(inPolish.events[0]).toMatchObject({ category: 'abuse', language: 'pl' });
    expect(texts(inPolish)[0]).toContain('Thank you for telling us');
  });

  it('speaks plainly to someone on the easy-read wording, and names the local line when set', () => {
    const plain = dayCentreAt(['1'], { variant: 'plain' });
    const result = step(
      dayCentre,
      plain.session,
      text('nobody feeds me'),
      ctx(5, { signposting: { ...UK_SIGNPOSTING, local: '0300 123 4567' } }),
    );
    expect(texts(result)[0]).toContain('If you need a doctor or nurse soon, call 111');
    expect(texts(result)[0]).toContain('does not look after you, call 0300 123 4567');
    expect(texts(result)[1]).toContain('Nobody reads these messages');
  });

  it('signposts someone whose session expired, and ends it', () => {
    const atStory = dayCentreAt(['1']);
    const late = step(dayCentre, atStory.session, text('I want to end it all'), ctx(15 * 24 * 60));
    expect(late.session.status).toBe('expired');
    expect(late.events.map((e) => e.type)).toEqual(['concern_raised', 'flow_expired']);
    expect(late.events[0]).toMatchObject({ conversation: 'ended' });
    expect(texts(late)).toHaveLength(2);
  });

  it('signposts after the conversation has ended without touching the session', () => {
    const ended = dayCentreAt(['1', 'good', 'no', '3', 'no', '5']);
    expect(ended.session.status).toBe('completed');
    const later = screenAfterEnd(
      dayCentre,
      ended.session,
      'thanks. my son takes my pension',
      ctx(60),
    );
    expect(later?.session).toBe(ended.session);
    expect(later?.events).toEqual([
      expect.objectContaining({ type: 'concern_raised', stepId: 'thanks', conversation: 'ended' }),
    ]);
    expect(screenAfterEnd(dayCentre, ended.session, 'thanks, bye', ctx(60))).toBeUndefined();
  });

  it('pauses a flow that says then: pause, and hears the flow’s own phrases', () => {
    const { flow, translate: wording } = carerCheckIn();
    const started = startSession(flow, {}, ctx(0, { translate: wording }));
    const agreed = step(flow, started.session, text('yes'), ctx(1, { translate: wording }));
    const result = step(
      flow,
      agreed.session,
      text("I've lost my carer and I'm alone"),
      ctx(2, { translate: wording }),
    );
    expect(result.session.status).toBe('halted');
    expect(result.events).toEqual([
      {
        type: 'concern_raised',
        stepId: 'story',
        category: 'flow',
        language: 'en',
        conversation: 'paused',
      },
      { type: 'flow_halted', reason: 'concern', stepId: 'story' },
    ]);
    expect(texts(result)[1]).toContain('we will not ask you any more questions now');
    expect(result.session.answers).toEqual({});
  });
});

describe('safeguarding in flow files', () => {
  const flowWith = (safeguarding: string): string =>
    `id: carer-check-in\ntitle: Check\nlevel: individual\nlanguages: [en]\nstart: story\n${safeguarding}steps:\n  story: { ask: open, next: thanks }\n  thanks: { end: true, say: thanks }\n`;

  it('refuses phrases in a language the flow does not offer, and a phrase that is not a pattern', () => {
    const loaded = loadWithFixtureTexts(
      flowWith("safeguarding:\n  phrases: { en: ['ok', '...'], pl: ['bije'] }\n"),
      'carer-check-in',
      ['en'],
    );
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.problems.map((p) => [p.path, p.message])).toEqual([
      ['safeguarding.phrases.pl', "phrases for 'pl', which is not one of the flow's languages"],
      ['safeguarding.phrases.en[1]', "'...' joins two words, so it cannot start or end a pattern"],
    ]);
  });

  it('refuses a flow in a language that has no safeguarding list', () => {
    const catalog = catalogWith({
      en: { 'carer-check-in': { title: 'Check', story: 'How are you?', thanks: 'Thanks' } },
    });
    delete catalog.resources['en']?.['safeguarding'];
    const loaded = loadFlowSource('inline.yaml', flowWith(''), { catalog, localesDir: 'locales' });
    expect(loaded.ok).toBe(false);
    if (!loaded.ok)
      expect(loaded.problems).toEqual([
        expect.objectContaining({
          file: 'locales/en/safeguarding.json',
          message: "no safeguarding phrases for 'en'",
        }),
      ]);
  });
});
