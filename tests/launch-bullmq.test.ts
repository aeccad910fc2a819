import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import nock from 'nock';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLaunch, type LaunchCommand, type LaunchDeps } from '../src/cli/launch.js';
import { runStatus } from '../src/cli/status.js';
import { createApp } from '../src/http/app.js';
import { BullInvitationQueue } from '../src/launch/invitation-queue.js';
import {
  AUTH_TOKEN,
  FakeClock,
  interceptTwilio,
  launchWorld,
  PUBLIC_URL,
  TWILIO_ENV,
  type LaunchWorld,
  type SentMessage,
} from './launch-harness.js';
import { redisTest } from './helpers/redis-server.js';

const FLOW = 'friends-and-family';
const PEOPLE = [
  'address,language,variant,name',
  '07700 900801,en,,Alex',
  '"+44 (0)7700 900802",cy,plain,Bethan',
  'whatsapp:+447700900803,pl,,Piotr',
].join('\n');
const COMMAND: LaunchCommand = {
  flowId: FLOW,
  participants: 'people.csv',
  dryRun: false,
  yes: true,
  pricing: { pricePerSegment: 0.04, currency: 'GBP' },
};

/** Collects what a command prints. */
function output(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

describe('a launch through BullMQ, sent by the server, answered by text', () => {
  const redisEnv = redisTest();
  let world: LaunchWorld;
  let queue: BullInvitationQueue;
  let deps: LaunchDeps;
  let base: string;
  let closeServer: () => Promise<void>;
  let sent: SentMessage[];
  let allSent: Promise<void>;

  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect((host) => host.startsWith('127.0.0.1'));
    // The flow's partner is told of the finished response; it answers and is not the subject here.
    nock('https://trust.example').persist().post('/fft').reply(204);
    let opened!: () => void;
    allSent = new Promise((resolve) => (opened = resolve));
    sent = interceptTwilio(Date.now, (messages) => {
      if (messages.length === 6) opened();
    });
    const redis = redisEnv();
    // The real clock: the server's BullMQ worker sends as jobs fall due.
    const time = new FakeClock(0);
    time.clock = (): Date => new Date();
    world = await launchWorld(redis, time, {
      LAUNCH_RATE_PER_SECOND: '50',
      TRUST_WEBHOOK_SECRET: 'trust-secret-for-the-launch-test-0001',
    });
    queue = new BullInvitationQueue(redis.url, `${redis.prefix}jobs`);
    deps = {
      flows: world.runtime.flows,
      plan: {
        ledger: world.ledger,
        pacer: world.pacer,
        store: world.runtime.store,
        translate: world.runtime.translate,
        secret: world.config.pseudonymKey,
        twilio: true,
        lookupSlackEmail: undefined,
        clock: () => new Date(),
      },
      queue,
      settings: world.config,
    };
    const server = createServer(createApp(world.runtime));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    closeServer = () => new Promise((resolve) => server.close(() => resolve()));
  });
  afterAll(async () => {
    await closeServer?.();
    await queue?.close();
    await world?.close();
    nock.cleanAll();
    nock.enableNetConnect();
  });

  /** A text from a participant, posted and signed as Twilio does; the reply's messages. */
  async function text(from: string, body: string): Promise<string> {
    const params = {
      MessageSid: `SM${Math.random().toString(16).slice(2).padEnd(32, '0').slice(0, 32)}`,
      AccountSid: TWILIO_ENV.TWILIO_ACCOUNT_SID,
      From: from,
      To: TWILIO_ENV.TWILIO_FROM,
      Body: body,
      NumMedia: '0',
    };
    const response = await fetch(`${base}/twilio/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(
          AUTH_TOKEN,
          `${PUBLIC_URL}/twilio/messages`,
          params,
        ),
      },
      body: new URLSearchParams(params).toString(),
    });
    expect(response.status).toBe(200);
    return response.text();
  }

  it('shows the plan on a dry run and queues nothing', async () => {
    const out = output();
    expect(
      await runLaunch(deps, { ...COMMAND, dryRun: true }, PEOPLE, {
        out: out.stream,
        ask: undefined,
      }),
    ).toBe(0);
    const printed = out.text();
    expect(printed).toContain('3 rows: 3 to invite, 0 rejected, 0 skipped');
    expect(printed).toMatch(/sms +2 +\(en 1, cy plain 1\)/);
    expect(printed).toMatch(/whatsapp +1 +\(pl 1\)/);
    expect(printed).toMatch(
      /SMS: 2 invitations, 4 texts, \d+ segments x 0\.04 GBP = \d+\.\d\d GBP/,
    );
    expect(printed).toContain('no quiet hours (Europe/London); 50 messages a second per sender');
    expect(printed).toContain('Dry run: nothing was queued.');
    expect(await queue.waiting()).toBe(0);
    expect(sent).toHaveLength(0);
  });

  it('refuses to queue without --yes when there is no terminal to ask', async () => {
    const out = output();
    await expect(
      runLaunch(deps, { ...COMMAND, yes: false }, PEOPLE, { out: out.stream, ask: undefined }),
    ).rejects.toThrow(/add --yes/);
    expect(await queue.waiting()).toBe(0);
  });

  it('queues durable jobs that the running server sends, with a progress bar on a terminal', async () => {
    const out = output();
    const terminal = Object.assign(out.stream, { isTTY: true });
    expect(await runLaunch(deps, COMMAND, PEOPLE, { out: terminal, ask: undefined })).toBe(0);
    expect(out.text()).toContain(`\r  queueing [${'#'.repeat(30)}] 3/3\n`);
    expect(out.text()).toMatch(/Queued 3 invitations \(launch [0-9a-f]{12}\)/);
    await allSent;
    expect(new Set(sent.map((m) => m.to))).toEqual(
      new Set(['+447700900801', '+447700900802', 'whatsapp:+447700900803']),
    );
    expect(sent.filter((m) => m.to === '+447700900801').map((m) => m.body)[0]).toMatch(
      /^Hello\. Your NHS service/,
    );
  });

  it('continues the flow from the replies to its invitation, to the end', async () => {
    expect(await text('+447700900801', '4')).toContain('Please tell us why you gave your answer.');
    expect(await text('+447700900801', 'The staff were kind')).toContain(
      'Is there anything we could do better?',
    );
    expect(await text('+447700900801', 'More parking')).toContain(
      'Thank you for telling us about your experience.',
    );
    const out = output();
    await runStatus(world.stats, FLOW, true, out.stream);
    expect(JSON.parse(out.text())).toMatchObject({
      flow: FLOW,
      invited: 3,
      delivered: 3,
      failed: 0,
      completed: 1,
      not_yet_sent: 0,
    });
  });

  it('sends nothing when the same launch runs again', async () => {
    const before = sent.length;
    const out = output();
    expect(await runLaunch(deps, COMMAND, PEOPLE, { out: out.stream, ask: undefined })).toBe(0);
    expect(out.text()).toContain('already invited to this flow: 3, lines 2, 3, 4');
    expect(out.text()).toContain('Nothing to send.');
    expect(await queue.waiting()).toBe(0);
    expect(sent).toHaveLength(before);
    expect((await world.stats.read(FLOW)).invited).toBe(3);
  });
});
