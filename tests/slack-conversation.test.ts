import { describe, expect, it } from 'vitest';
import { startSession, step } from '../src/engine/step.js';
import type { Answer, Input, StepResult } from '../src/engine/types.js';
import {
  actionsOf,
  dmOf,
  expectLogsNameNobody,
  present,
  sectionText,
  useSlackApp,
  type Block,
  type Posted,
} from './helpers/slack.js';

const DAY_MS = 86_400_000;

describe('Slack direct messages at /slack/events: whole conversations', () => {
  const slack = useSlackApp();
  const { api, say, click } = slack;
  const store = () => slack.app.runtime.store;

  it('runs the day-centre consultation in a DM, with buttons that answer once', async () => {
    const carer = 'U0CARER001';
    const dm = dmOf(carer);

    let scope = api.expectPosts(2);
    await say(carer, 'DAYCENTRE');
    expect(scope.isDone()).toBe(true);
    const welcome = present(api.posted()[0]);
    const role = present(api.posted()[1]);
    expect(welcome?.channel).toBe(dm);
    expect(sectionText(welcome)).toMatch(/^Hello\. Your local council/);
    expect(actionsOf(welcome)).toEqual([]);
    expect(sectionText(role)).toBe(
      'So we can ask the right questions, which of these best describes you?',
    );
    expect(actionsOf(role)).toEqual([
      expect.objectContaining({
        type: 'button',
        text: expect.objectContaining({ text: 'I go to the day centre' }),
        value: 'v1|role|service_user',
      }),
      expect.objectContaining({
        text: expect.objectContaining({ text: 'I care for someone who goes there' }),
        value: 'v1|role|carer',
      }),
      expect.objectContaining({
        text: expect.objectContaining({ text: 'Something else' }),
        value: 'v1|role|other',
      }),
    ]);
    // Buttons instead of a numbered list, and no "Reply with the number" hint.
    expect(role.blocks.map((b) => b.type)).toEqual(['section', 'actions']);
    expect(JSON.stringify(role.blocks)).not.toMatch(/1\. I go|Reply with the number/);

    api.clear();
    const update = api.expectCalls('chat.update', 1);
    scope = api.expectPosts(1);
    await click(carer, role, 'cv_answer_1');
    expect(update.isDone() && scope.isDone()).toBe(true);
    const updated = present(api.calls.find((call) => call.method === 'chat.update')).body;
    expect(updated).toMatchObject({ channel: dm, ts: role.ts });
    const updatedBlocks = updated['blocks'] as Block[];
    expect(updatedBlocks.map((b) => b.type)).toEqual(['section', 'context']);
    expect(JSON.stringify(updatedBlocks)).toContain('✅ *I care for someone who goes there*');
    expect(sectionText(present(api.posted()[0]))).toMatch(/from your point of view as a carer/);

    // Another click on the same message (before Slack showed the update) changes nothing.
    api.clear();
    await click(carer, role, 'cv_answer_0');
    expect(api.calls).toEqual([]);
    expect(
      (await store().load({ channel: 'slack', address: carer }))?.answers['role'],
    ).toMatchObject({ value: 'carer' });

    // The story over several messages, gathered by the engine.
    const typed = async (text: string, expected: RegExp): Promise<Posted> => {
      api.clear();
      const s = api.expectPosts(1);
      await say(carer, text);
      expect(s.isDone()).toBe(true);
      const reply = present(api.posted()[0]);
      expect(sectionText(reply)).toMatch(expected);
      return reply;
    };
    await typed(
      'It gives me a few hours to myself &amp; <https://x.example|the form>.',
      /anything else/,
    );
    await typed('He loves the music group.', /anything else/);
    const visits = await typed('no', /How many days a week does the person you care for/);
    expect(visits.blocks.map((b) => b.type)).toEqual(['section', 'context']);
    expect(JSON.stringify(visits.blocks)).toContain('Reply with a number from 0 to 7.');

    const weekends = await typed('three', /open at weekends/);
    expect(actionsOf(weekends).map((e) => [e.text?.text, e.value])).toEqual([
      ['Yes', 'v1|weekends|yes'],
      ['No', 'v1|weekends|no'],
    ]);
    expect(JSON.stringify(weekends.blocks)).not.toContain('Reply YES or NO');

    api.clear();
    api.expectCalls('chat.update', 1);
    scope = api.expectPosts(1);
    await click(carer, weekends, 'cv_answer_0');
    expect(scope.isDone()).toBe(true);
    const hours = present(api.posted()[0]);
    expect(sectionText(hours)).toBe('Which times at weekends would suit you?');
    const [boxes, done] = actionsOf(hours);
    expect(boxes).toMatchObject({
      type: 'checkboxes',
      options: [
        { text: { text: 'Morning' }, value: 'v1|hours|morning' },
        { text: { text: 'Afternoon' }, value: 'v1|hours|afternoon' },
        { text: { text: 'Evening' }, value: 'v1|hours|evening' },
      ],
    });
    expect(done).toMatchObject({ type: 'button', text: { text: 'Done' }, value: 'v1|hours' });

    api.clear();
    api.expectCalls('chat.update', 1);
    scope = api.expectPosts(1);
    await click(carer, hours, 'cv_done', ['v1|hours|morning', 'v1|hours|evening']);
    expect(scope.isDone()).toBe(true);
    expect(JSON.stringify(present(api.calls[0]).body['blocks'])).toContain(
      '✅ *Morning*, *Evening*',
    );
    const rating = present(api.posted()[0]);
    expect(actionsOf(rating).map((e) => e.text?.text)).toEqual(['1', '2', '3', '4', '5']);
    expect(JSON.stringify(rating.blocks)).toContain('1 (very poor) to 5 (very good)');

    // A typed answer to a question with buttons is taken too.
    const thanks = await typed('4', /^Thank you for your time, and for all you do as a carer/);
    expect(actionsOf(thanks)).toEqual([]);

    const finished = present((await store().history({ channel: 'slack', address: carer }))[0]);
    expect(finished?.status).toBe('completed');
    expect(answerValues(finished.answers)).toEqual({
      role: 'carer',
      story: 'It gives me a few hours to myself & the form.\n\nHe loves the music group.',
      days_a_week: 3,
      weekends_wanted: 'yes',
      hours: ['morning', 'evening'],
      rating: 4,
    });

    // The old rating buttons now answer nothing: their buttons are taken away.
    api.clear();
    api.expectCalls('chat.update', 1);
    await click(carer, rating, 'cv_answer_4');
    expect(api.calls.map((c) => c.method)).toEqual(['chat.update']);
    expect((present(api.calls[0]).body['blocks'] as Block[]).map((b) => b.type)).toEqual([
      'section',
    ]);
  });

  it('runs a flow file unchanged: Slack and the engine give the same words and answers', async () => {
    const { flows, translate } = slack.app.runtime;
    const person = 'U0WELSH001';
    const flow = present(flows.get('day-centre-weekends'));
    const ctx = { now: new Date(), translate };
    let engine: StepResult = startSession(flow, { language: 'cy' }, ctx);
    let last: Posted[] = [];
    const turn = async (
      slackSide: () => Promise<void>,
      input: Input | undefined,
    ): Promise<void> => {
      if (input !== undefined) engine = step(flow, engine.session, input, ctx);
      const expected = engine.replies;
      api.clear();
      api.expectPosts(expected.length);
      if (input?.type === 'choice') api.expectCalls('chat.update', 1);
      await slackSide();
      last = api.posted();
      expect(last.map(sectionText)).toEqual(expected.map((reply) => reply.text));
    };
    await turn(() => say(person, 'CANOLFAN'), undefined);
    await turn(() => click(person, present(last[1]), 'cv_answer_0'), {
      type: 'choice',
      stepId: 'role',
      values: ['service_user'],
    });
    await turn(() => say(person, 'HAWDD'), { type: 'text', text: 'HAWDD' });
    await turn(() => say(person, "Dw i'n hoffi'r staff."), {
      type: 'text',
      text: "Dw i'n hoffi'r staff.",
    });
    await turn(() => say(person, 'na'), { type: 'text', text: 'na' });
    await turn(() => say(person, 'dau'), { type: 'text', text: 'dau' });
    expect(actionsOf(present(last[0])).map((e) => e.text?.text)).toEqual(['Ie', 'Na']);
    await turn(() => click(person, present(last[0]), 'cv_answer_1'), {
      type: 'choice',
      stepId: 'weekends',
      values: ['no'],
    });
    await turn(() => click(person, present(last[0]), 'cv_answer_4'), {
      type: 'choice',
      stepId: 'rating',
      values: ['5'],
    });
    expect(engine.session.status).toBe('completed');
    const done = present((await store().history({ channel: 'slack', address: person }))[0]);
    expect(done).toMatchObject({ status: 'completed', language: 'cy', variant: 'plain' });
    expect(answerValues(done.answers)).toEqual(answerValues(engine.session.answers));
  });

  it('answers an event Slack delivers four times (X-Slack-Retry-Num 1 to 3) once', async () => {
    const person = 'U0RETRY001';
    api.expectPosts(2);
    await say(person, 'DAYCENTRE');
    const before = present(await store().load({ channel: 'slack', address: person }));
    api.clear();
    const scope = api.expectPosts(1);
    const body = JSON.stringify(slack.messageEvent(person, '2'));
    const responses = await Promise.all(
      [undefined, '1', '2', '3'].map((retry) =>
        slack.deliver(
          body,
          'application/json',
          retry === undefined
            ? {}
            : { 'x-slack-retry-num': retry, 'x-slack-retry-reason': 'http_timeout' },
        ),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(scope.isDone()).toBe(true);
    expect(api.posted()).toHaveLength(1);
    const after = await store().load({ channel: 'slack', address: person });
    expect(after).toMatchObject({ stepId: 'story', revision: before.revision + 1 });
    expect(after?.answers['role']).toMatchObject({ status: 'answered', value: 'carer' });
  });

  it('takes one answer from two buttons clicked at once on the same question', async () => {
    const person = 'U0DOUBLE01';
    api.expectPosts(2);
    await say(person, 'DAYCENTRE');
    const role = present(api.posted()[1]);
    const before = present(await store().load({ channel: 'slack', address: person }));
    api.clear();
    const update = api.expectCalls('chat.update', 1);
    const reply = api.expectPosts(1);
    await Promise.all([click(person, role, 'cv_answer_1'), click(person, role, 'cv_answer_2')]);
    expect(update.isDone() && reply.isDone()).toBe(true);
    expect(api.calls.map((c) => c.method).sort()).toEqual(['chat.postMessage', 'chat.update']);
    const after = await store().load({ channel: 'slack', address: person });
    expect(after).toMatchObject({ stepId: 'story', revision: before.revision + 1 });
  });

  it('picks up where a carer left off when they come back days later', async () => {
    const person = 'U0RESUME01';
    api.expectPosts(2);
    await say(person, 'DAYCENTRE');
    slack.app.clockAheadMs = 10 * DAY_MS; // the flow expires after 14 days
    api.clear();
    const scope = api.expectPosts(1);
    await say(person, 'I care for someone');
    expect(scope.isDone()).toBe(true);
    expect(sectionText(present(api.posted()[0]))).toMatch(/from your point of view as a carer/);
  });

  it('tells someone writing out of the blue how to take part, once a day', async () => {
    api.expectPosts(1);
    await say('U0STRANGE1', 'hello?');
    expect(sectionText(present(api.posted()[0]))).toContain('for example DAYCENTRE');
    await say('U0STRANGE1', 'hello??');
    expect(api.posted()).toHaveLength(1);
  });

  it('logs name nobody: no Slack user ids, emails or message text', () => {
    const logs = slack.app.logs();
    expect(logs).toContain('slack event already handled');
    expectLogsNameNobody(logs);
  });
});

function answerValues(answers: Readonly<Record<string, Answer>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(answers).map(([name, a]) => [
      name,
      a.status === 'answered' ? a.value : a.status,
    ]),
  );
}
