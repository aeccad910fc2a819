import { Redis } from 'ioredis';
import nock from 'nock';
import { createTwilioClient } from '../src/channels/twilio/client.js';
import { TwilioSender } from '../src/channels/twilio/sender.js';
import { loadConfig, type Config } from '../src/config.js';
import { RedisInvitationLedger } from '../src/launch/invitation-ledger.js';
import type { InvitationJob } from '../src/launch/invitation-job.js';
import type { InvitationQueue } from '../src/launch/invitation-queue.js';
import { InvitationSender } from '../src/launch/invitation-sender.js';
import { slackInviter } from '../src/launch/invitation-sending.js';
import { RedisSendPacer } from '../src/launch/send-pacer.js';
import { createLogger } from '../src/logger.js';
import { createRuntime, type Runtime } from '../src/runtime.js';
import { RedisFlowStats } from '../src/store/flow-stats.js';

export const AUTH_TOKEN = 'test-auth-token-0123456789abcdef';
export const PUBLIC_URL = 'https://carevoice.example.org';
export const TWILIO_ENV = {
  TWILIO_ACCOUNT_SID: `AC${'1'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: AUTH_TOKEN,
  TWILIO_FROM: '+447700900000',
  PUBLIC_URL,
};
const MESSAGES = `/2010-04-01/Accounts/${TWILIO_ENV.TWILIO_ACCOUNT_SID}/Messages.json`;

/** A clock that moves only when told: by the job driver, or by a sender's wait between messages. */
export class FakeClock {
  constructor(public now: number) {}
  clock = (): Date => new Date(this.now);
  sleep = async (ms: number): Promise<void> => {
    this.now += ms;
  };
}

export interface SentMessage {
  readonly to: string;
  readonly body: string;
  /** The (fake) time at which Twilio was asked to send it. */
  readonly at: number;
}

let sidCounter = 0;

/** Twilio's answer to one request: its status and JSON body. */
export type TwilioAnswer = readonly [number, Record<string, unknown>];

/**
 * Twilio's Messages API, intercepted: every message Twilio takes is recorded with the time on
 * the given clock. `answer` (given how many requests came before) may refuse some, as Twilio
 * does; the default takes every one (201 with a SID). Answers carry a Content-Length, which
 * nock leaves out and the keep-alive client needs. `onSent` hears each message taken.
 */
export function interceptTwilio(
  now: () => number,
  onSent: (sent: readonly SentMessage[]) => void = () => undefined,
  answer: (requestsBefore: number) => TwilioAnswer | undefined = () => undefined,
): SentMessage[] {
  const sent: SentMessage[] = [];
  let requests = 0;
  nock('https://api.twilio.com')
    .persist()
    .post(MESSAGES)
    .reply((_uri, body) => {
      const [status, reply] = answer(requests++) ?? [201, { sid: nextSid(), status: 'queued' }];
      if (status === 201) {
        const form = new URLSearchParams(String(body));
        sent.push({ to: form.get('To') ?? '', body: form.get('Body') ?? '', at: now() });
        onSent(sent);
      }
      const text = JSON.stringify(reply);
      return [
        status,
        text,
        { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)) },
      ];
    });
  return sent;
}

function nextSid(): string {
  sidCounter++;
  return `SM${sidCounter.toString(16).padStart(32, '0')}`;
}

/** A queue that keeps what a launch adds, for a test to run by hand; an id already there is ignored, as BullMQ does. */
export class RecordedQueue implements Pick<InvitationQueue, 'addAll'> {
  readonly jobs: InvitationJob[] = [];
  /** How many times jobs were added: one round trip each. */
  adds = 0;
  private readonly ids = new Set<string>();

  async addAll(jobs: readonly InvitationJob[]): Promise<void> {
    this.adds++;
    for (const job of jobs) {
      if (this.ids.has(job.id)) continue;
      this.ids.add(job.id);
      this.jobs.push(job);
    }
  }
}

/**
 * Runs invitation jobs as the queue would, one at a time in order of due time, on a fake
 * clock: a job told to wait comes back when its time is due. Returns how many times jobs waited.
 */
export async function runJobs(
  sender: InvitationSender,
  jobs: readonly InvitationJob[],
  time: FakeClock,
): Promise<number> {
  const due = jobs.map((job) => ({ job, at: job.runAt }));
  let waits = 0;
  while (due.length > 0) {
    due.sort((a, b) => a.at - b.at);
    const next = due.shift();
    if (next === undefined) break;
    time.now = Math.max(time.now, next.at);
    const result = await sender.handle(next.job);
    if (result.type === 'wait') {
      waits++;
      due.push({ job: next.job, at: result.until });
    }
  }
  return waits;
}

export interface LaunchWorld {
  readonly config: Config;
  readonly runtime: Runtime;
  readonly redis: Redis;
  readonly ledger: RedisInvitationLedger;
  readonly pacer: RedisSendPacer;
  readonly stats: RedisFlowStats;
  /** Sends as the server's worker does, on the test's clock. */
  readonly sender: InvitationSender;
  close(): Promise<void>;
}

/**
 * The real runtime on a test Redis, Twilio set up (and intercepted), on the given clock; Slack
 * too when `env` sets it up.
 */
export async function launchWorld(
  redis: { url: string; prefix: string },
  time: FakeClock,
  env: Record<string, string> = {},
): Promise<LaunchWorld> {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    REDIS_URL: redis.url,
    REDIS_PREFIX: redis.prefix,
    PSEUDONYM_KEY: 'launch-test-pseudonym-key-000000000001',
    ...TWILIO_ENV,
    ...env,
  });
  const logger = createLogger('silent');
  const runtime = await createRuntime(config, { logger, clock: time.clock });
  const client = new Redis(redis.url);
  const ledger = new RedisInvitationLedger(client, redis.prefix);
  const pacer = new RedisSendPacer(client, redis.prefix);
  const twilioConfig = config.twilio;
  if (twilioConfig === undefined) throw new Error('Twilio settings missing');
  const twilio = new TwilioSender({
    config: twilioConfig,
    client: createTwilioClient(twilioConfig),
    statusLog: runtime.statusLog,
    limiter: runtime.limiter,
    outboundLimitPerHour: config.smsOutboundLimitPerHour,
    refOf: runtime.refOf,
    onOptedOut: (key) => runtime.store.setOptedOut(key, true),
    logger,
    clock: time.clock,
    // Twilio's busy answers are retried after a backoff; no need to wait it out here.
    sleep: async () => undefined,
  });
  const slack = runtime.slack;
  const sender = new InvitationSender({
    flows: runtime.flows,
    translate: runtime.translate,
    conversations: runtime.conversations,
    store: runtime.store,
    ledger,
    pacer,
    twilio,
    inviteSlack:
      slack === undefined ? undefined : slackInviter({ ...runtime, client: slack.client, logger }),
    ratePerSecond: config.launchRatePerSecond,
    clock: time.clock,
    sleep: time.sleep,
    logger,
  });
  return {
    config,
    runtime,
    redis: client,
    ledger,
    pacer,
    stats: new RedisFlowStats(client, redis.prefix),
    sender,
    close: async () => {
      await runtime.close();
      await client.quit();
    },
  };
}
