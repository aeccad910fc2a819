import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { createSlackAlerts } from '../src/channels/slack/alerts.js';
import { inviteSlackUsers, type SlackInviteDeps } from '../src/channels/slack/invite.js';
import { SlackSender } from '../src/channels/slack/sender.js';
import { inviteSlack, parseInviteSlackArgs, runInviteSlack } from '../src/cli/invite-slack.js';
import { nextAllowedTime } from '../src/jobs/quiet-hours.js';
import type { ParticipantKey } from '../src/store/session-store.js';
import {
  actionsOf,
  dmOf,
  expectLogsNameNobody,
  lineSink,
  present,
  sectionText,
  SLACK_API,
  slackEnv,
  useSlackApp,
} from './helpers/slack.js';

const ALERT_CHANNEL = 'C0ALERTS01';

describe('Slack: the slash command, invitations, reminders and alerts', () => {
  const slack = useSlackApp({ alertChannel: ALERT_CHANNEL });
  const { api, say } = slack;
  const runtime = () => slack.app.runtime;
  const slackParts = () => present(runtime().slack);
  /** What `carevoice invite-slack` hands to the invitation: the runtime and its Slack client. */
  const inviteDeps = (): SlackInviteDeps => ({ ...runtime(), client: slackParts().client });

  it('lists open consultations for /carevoice, privately, in the language last used', async () => {
    const english = await slack.command('U0NEWCOMER');
    expect(english.response_type).toBe('ephemeral');
    expect(sectionText(english)).toBe(
      '*Choose a consultation*\n• *Day centre at weekends*: `DAYCENTRE`\n• *Friends and Family Test*: `FFT`',
    );
    expect(api.calls).toEqual([]);

    api.expectPosts(2);
    await say('U0CYMRAEG1', 'CANOLFAN');
    const welsh = await slack.command('U0CYMRAEG1');
    expect(sectionText(welsh)).toContain('• *Canolfan ddydd ar benwythnosau*: `CANOLFAN`');
    expect(sectionText(welsh)).toMatch(/^\*Dewiswch ymgynghoriad\*/);
  });

  it('invites by user id and by email: lookup, DM opened, flow started, opening posted', async () => {
    const lookups = api.expectCalls('users.lookupByEmail', 2, (body) =>
      body['email'] === 'carer.one@example.org'
        ? { user: { id: 'U0INVITE01', name: 'carer.one' } }
        : { ok: false, error: 'users_not_found' },
    );
    const opens = api.expectCalls('conversations.open', 2, (body) => ({
      channel: { id: dmOf(String(body['users'])) },
    }));
    const posts = api.expectPosts(4);
    const out: string[] = [];
    const code = await runInviteSlack(
      inviteDeps(),
      parseInviteSlackArgs([
        'day-centre-weekends',
        'carer.one@example.org',
        'U0INVITE02',
        'nobody@example.org',
        'not a user',
      ]),
      lineSink(out),
    );
    expect(lookups.isDone() && opens.isDone() && posts.isDone()).toBe(true);
    expect(code).toBe(1);
    expect(out.join('')).toBe(
      [
        '1. c…@example.org  invited',
        '2. U0I…02  invited',
        '3. n…@example.org  no Slack user with this email (users_not_found)',
        '4. not…er  not a Slack user id (U…) or an email',
        '2 invited, 1 not found, 1 invalid (of 4)',
        '',
      ].join('\n'),
    );
    expect(api.posted().map((m) => m.channel)).toEqual([
      'D0INVITE01',
      'D0INVITE01',
      'D0INVITE02',
      'D0INVITE02',
    ]);
    expect(sectionText(present(api.posted()[0]))).toMatch(/^Hello\. Your local council/);
    const session = await runtime().store.load({ channel: 'slack', address: 'U0INVITE01' });
    expect(session).toMatchObject({
      status: 'active',
      flowId: 'day-centre-weekends',
      stepId: 'role',
    });

    // Someone in the middle of a conversation is left alone.
    api.clear();
    const again = await inviteSlackUsers(inviteDeps(), 'day-centre-weekends', ['U0INVITE02']);
    expect(again).toEqual([{ user: 'U0INVITE02', status: 'already_active', code: undefined }]);
    expect(api.calls).toEqual([]);
  });

  it('carevoice invite-slack: reads the environment, invites, and says what it needs', async () => {
    // Its own runtime, as a separate process would have, on a Redis prefix of its own.
    const env = slackEnv(slack.redisEnv());
    const run = async (
      args: string[],
      environment: Record<string, string>,
    ): Promise<{ code: number; out: string; err: string }> => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await inviteSlack(args, environment, lineSink(out), lineSink(err));
      return { code, out: out.join(''), err: err.join('') };
    };
    const opens = api.expectCalls('conversations.open', 1, () => ({
      channel: { id: 'D0CLI00001' },
    }));
    const posts = api.expectPosts(2);
    expect(await run(['day-centre-weekends', 'U0CLI00001', '--lang', 'pl'], env)).toEqual({
      code: 0,
      out: '1. U0C…01  invited\n1 invited (of 1)\n',
      err: '',
    });
    expect(opens.isDone() && posts.isDone()).toBe(true);
    expect(sectionText(present(api.posted()[0]))).toMatch(/^Dzień dobry/);

    expect((await run(['day-centre-weekends'], env)).err).toMatch(/needs a flow and at least one/);
    const withoutSlack = { ...env, SLACK_BOT_TOKEN: '', SLACK_SIGNING_SECRET: '' };
    expect(await run(['day-centre-weekends', 'U0CLI00002'], withoutSlack)).toMatchObject({
      code: 1,
      err: 'carevoice: Slack is not set up: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET\n',
    });
    expect(
      (await run(['day-centre-weekends', 'U0CLI00002'], { ...env, REDIS_URL: '' })).err,
    ).toMatch(/REDIS_URL is not set/);
    expect((await run(['no-such-flow', 'U0CLI00002'], env)).err).toMatch(/no flow named/);
  });

  it('sends reminders through SlackSender: the DM opened, the question again with buttons', async () => {
    const person = 'U0REMIND01';
    const key: ParticipantKey = { channel: 'slack', address: person };
    api.expectPosts(2);
    await say(person, 'DAYCENTRE');
    const session = present(await runtime().store.load(key));
    api.clear();
    const opens = api.expectCalls('conversations.open', 1, () => ({
      channel: { id: dmOf(person) },
    }));
    const posts = api.expectPosts(2);
    // The reminder is due after the flow's delay, outside quiet hours: the app's clock goes there.
    const flow = present(runtime().flows.get('day-centre-weekends'));
    const due = nextAllowedTime(
      new Date(Date.parse(session.updatedAt) + (flow.reminderDelaysMs[0] ?? 0)),
      flow.quietHours,
      flow.timezone,
    ).getTime();
    slack.app.clockAheadMs = due - Date.now();
    await runtime().conversations.runJob({
      id: 'reminder-test',
      type: 'reminder',
      reminder: 0,
      key,
      flowId: 'day-centre-weekends',
      startedAt: session.startedAt,
      runAt: due,
    });
    expect(opens.isDone() && posts.isDone()).toBe(true);
    expect(api.calls[0]).toMatchObject({ method: 'conversations.open', body: { users: person } });
    const reminder = present(api.posted()[0]);
    const question = present(api.posted()[1]);
    expect(sectionText(reminder)).toMatch(/^Just a reminder/);
    expect(question.channel).toBe(dmOf(person));
    expect(actionsOf(question).map((e) => e.value)).toEqual([
      'v1|role|service_user',
      'v1|role|carer',
      'v1|role|other',
    ]);
  });

  it('SlackSender: an unreachable person is not retried; a Slack outage is, when nothing went', async () => {
    // Built from the runtime's parts as the runtime builds its own; the client's retries are off.
    const { store, translate, refOf, logger } = runtime();
    const sender = new SlackSender({
      client: slackParts().client,
      store,
      translate,
      refOf,
      logger,
    });
    const key: ParticipantKey = { channel: 'slack', address: 'U0GONE0001' };
    const reply = [{ type: 'message', text: 'Hello' }] as const;
    api.expectCalls('conversations.open', 1, () => ({ ok: false, error: 'user_not_found' }));
    await expect(sender.send(key, reply)).resolves.toBeUndefined();
    nock(SLACK_API).post('/api/conversations.open').reply(503, 'unavailable');
    await expect(sender.send(key, reply)).rejects.toMatchObject({
      code: 'slack_send_failed',
      failure: { kind: 'busy', retryable: true },
    });
  });

  it("posts operational alerts to the coordinators' channel, without personal data, once", async () => {
    const { alerts, client } = slackParts();
    const post = api.expectCalls('chat.postMessage', 1);
    const text =
      'A reminder job for day-centre-weekends was given up (slack_send_failed) for carer.one@example.org <@U0CARER001>';
    await alerts.postAlert(text);
    await alerts.postAlert(text);
    expect(post.isDone()).toBe(true);
    expect(api.calls).toHaveLength(1);
    expect(present(api.calls[0]).body).toMatchObject({ channel: ALERT_CHANNEL });
    expect(present(api.calls[0]).body['text']).toBe(
      ':warning: A reminder job for day-centre-weekends was given up (slack_send_failed) for [removed] [removed]',
    );
    // Without SLACK_ALERT_CHANNEL, alerts only reach the log.
    const { logger, clock } = runtime();
    await createSlackAlerts({ client, channel: undefined, logger, clock }).postAlert(
      'Job given up',
    );
    expect(api.calls).toHaveLength(1);
  });

  it('logs name nobody: no Slack user ids, emails or message text', () => {
    const logs = slack.app.logs();
    expect(logs).toContain('slack invitations done');
    expectLogsNameNobody(logs);
  });
});
