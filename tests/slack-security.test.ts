import { describe, expect, it } from 'vitest';
import { freePort } from './helpers/redis-server.js';
import {
  expectLogsNameNobody,
  SIGNING_SECRET,
  slackSignature,
  startSlackApp,
  useSlackApp,
} from './helpers/slack.js';

describe('Slack at /slack/events: what is verified, ignored and logged', () => {
  const slack = useSlackApp();
  const { api } = slack;

  describe('signature and timestamp', () => {
    const challenge = JSON.stringify({
      token: 'legacy-verification-token',
      challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
      type: 'url_verification',
    });
    const now = (): number => Math.floor(Date.now() / 1000);

    it('answers the url_verification challenge', async () => {
      const response = await slack.deliver(challenge, 'application/json');
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
      });
    });

    const rows: {
      name: string;
      status: number;
      at?: number;
      tamper?: boolean;
      secret?: string;
      drop?: 'x-slack-signature' | 'x-slack-request-timestamp' | 'both';
      signature?: string;
    }[] = [
      { name: 'valid', status: 200 },
      { name: 'stamped four minutes ahead (inside the window)', at: 240, status: 200 },
      { name: 'tampered body', tamper: true, status: 401 },
      {
        name: 'signed with another secret',
        secret: '0123456789abcdef0123456789abcdef',
        status: 401,
      },
      { name: 'stale timestamp (six minutes old)', at: -360, status: 401 },
      { name: 'future timestamp (six minutes ahead)', at: 360, status: 401 },
      { name: 'missing signature', drop: 'x-slack-signature', status: 401 },
      { name: 'missing timestamp', drop: 'x-slack-request-timestamp', status: 401 },
      { name: 'missing both headers', drop: 'both', status: 401 },
      { name: 'malformed signature', signature: 'v0=not-hex', status: 401 },
    ];
    it.each(rows)('$name → $status', async (options) => {
      const { status } = options;
      const timestamp = now() + (options.at ?? 0);
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature':
          options.signature ??
          slackSignature(timestamp, challenge, options.secret ?? SIGNING_SECRET),
      };
      if (options.drop === 'both' || options.drop === 'x-slack-signature')
        delete headers['x-slack-signature'];
      if (options.drop === 'both' || options.drop === 'x-slack-request-timestamp')
        delete headers['x-slack-request-timestamp'];
      const body = options.tamper === true ? challenge.replace('3eZb', '4eZb') : challenge;
      const response = await fetch(`${slack.app.base}/slack/events`, {
        method: 'POST',
        headers,
        body,
      });
      expect(response.status).toBe(status);
      expect((await response.text()).includes('challenge')).toBe(status === 200);
    });
  });

  it.each([
    ['a bot message (our own replies come back as events)', { bot_id: 'B0BOT0001' }],
    ['an edit', { subtype: 'message_changed' }],
    ['someone joining', { subtype: 'channel_join' }],
    ['a message in a channel, not a DM', { channel_type: 'channel', channel: 'C0PUBLIC01' }],
  ])('ignores %s', async (_name, event) => {
    const response = await slack.deliver(
      JSON.stringify(slack.messageEvent('U0IGNORED1', 'DAYCENTRE', event)),
      'application/json',
    );
    expect(response.status).toBe(200);
    expect(api.calls).toEqual([]);
    expect(
      await slack.app.runtime.store.load({ channel: 'slack', address: 'U0IGNORED1' }),
    ).toBeUndefined();
  });

  it('logs name nobody: refusals give a reason, never the request', () => {
    const logs = slack.app.logs();
    expect(logs).toContain('refused a Slack request');
    expect(logs).not.toContain('U0IGNORED1');
    expectLogsNameNobody(logs);
  });
});

describe('Slack while the store is down', () => {
  it('refuses an event with 503 before acknowledging it, so Slack delivers it again later', async () => {
    const closed = await freePort();
    const app = await startSlackApp({ url: `redis://127.0.0.1:${closed}`, prefix: 'cvtest:down:' });
    try {
      const body = JSON.stringify({
        type: 'event_callback',
        event_id: 'Ev0STOREDOWN1',
        event: {
          type: 'message',
          channel_type: 'im',
          channel: 'D0STOREDOWN',
          user: 'U0STOREDOWN',
          text: 'DAYCENTRE',
          ts: '1795672000.000100',
        },
      });
      const timestamp = Math.floor(Date.now() / 1000);
      const response = await fetch(`${app.base}/slack/events`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-slack-request-timestamp': String(timestamp),
          'x-slack-signature': slackSignature(timestamp, body),
        },
        body,
      });
      expect(response.status).toBe(503);
      expect(await response.text()).toBe('Try again shortly.');
      expect(app.logs()).toContain('slack event refused until the store is back');
    } finally {
      await app.close();
    }
  });
});
