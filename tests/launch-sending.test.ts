import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Flow } from '../src/flow/flow.js';
import type { InvitationJob } from '../src/launch/invitation-job.js';
import { InvitationRetryError } from '../src/launch/invitation-sender.js';
import { planLaunch, type LaunchPlan, type LaunchPlanDeps } from '../src/launch/plan.js';
import { queueLaunch } from '../src/launch/queue-launch.js';
import { slackLookup } from '../src/launch/slack-lookup.js';
import {
  FakeClock,
  interceptTwilio,
  launchWorld,
  RecordedQueue,
  runJobs,
  type LaunchWorld,
  type TwilioAnswer,
} from './launch-harness.js';
import { redisTest } from './helpers/redis-server.js';
import { BOT_TOKEN, dmOf, mockSlackApi } from './helpers/slack-api.js';
import { SIGNING_SECRET } from './helpers/slack.js';

const FLOW = 'day-centre-weekends';
/** A Tuesday morning in London, well clear of the flow's quiet hours. */
const START = Date.parse('2030-03-05T10:00:00Z');

function twilioError(status: number, code: number): TwilioAnswer {
  return [status, { code, message: 'refused', status }];
}

describe('sending invitations: Slack, refusals, retries and people who changed their minds', () => {
  const redisEnv = redisTest();
  const api = mockSlackApi();
  const time = new FakeClock(START);
  let world: LaunchWorld;
  let flow: Flow;
  let planDeps: LaunchPlanDeps;

  beforeAll(async () => {
    world = await launchWorld(redisEnv(), time, {
      LAUNCH_RATE_PER_SECOND: '10',
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_RETRIES: '0',
    });
    flow = world.runtime.flows.get(FLOW) as Flow;
    const slack = world.runtime.slack;
    if (slack === undefined) throw new Error('Slack is not set up');
    planDeps = {
      ledger: world.ledger,
      pacer: world.pacer,
      store: world.runtime.store,
      translate: world.runtime.translate,
      secret: world.config.pseudonymKey,
      twilio: true,
      lookupSlackEmail: slackLookup(slack.client),
      clock: time.clock,
    };
  });
  afterAll(async () => world?.close());

  /** Plans and queues a participants file; the jobs, for the test to run. */
  async function launch(csv: string): Promise<{ plan: LaunchPlan; jobs: InvitationJob[] }> {
    const plan = await planLaunch(planDeps, flow, csv, { ratePerSecond: 10, contactCapDays: 0 });
    const queue = new RecordedQueue();
    await queueLaunch({ ...planDeps, ledger: world.ledger, queue }, plan);
    return { plan, jobs: queue.jobs };
  }

  it('invites Slack users by id and by email, the way invite-slack does', async () => {
    api.expectCalls('users.lookupByEmail', 2, (body) =>
      body['email'] === 'carer@example.org'
        ? { user: { id: 'U0CARER002' } }
        : { ok: false, error: 'users_not_found' },
    );
    const { plan, jobs } = await launch(
      'address,language\nU0CARER001,cy\ncarer@example.org,\nnobody@example.org,\nU0CARER002,\n',
    );
    expect(plan.rejected.first).toEqual([
      { line: 4, reason: 'no Slack user with this email in the workspace' },
      { line: 5, reason: 'the same person as line 3', duplicateOf: 3 },
    ]);
    const opens = api.expectCalls('conversations.open', 2, (body) => ({
      channel: { id: dmOf(String(body['users'])) },
    }));
    const posts = api.expectPosts(4);
    await runJobs(world.sender, jobs, time);
    expect(opens.isDone() && posts.isDone()).toBe(true);
    expect(api.posted().map((post) => post.channel)).toEqual([
      'D0CARER001',
      'D0CARER001',
      'D0CARER002',
      'D0CARER002',
    ]);
    expect(api.posted()[0]?.text).toContain('Helo');
    expect(await world.stats.read(FLOW)).toMatchObject({ invited: 2, delivered: 2 });
  });

  it('counts a number Twilio refuses as failed, and never tries it again', async () => {
    const before = await world.stats.read(FLOW);
    const sent = interceptTwilio(
      () => time.now,
      () => undefined,
      () => twilioError(400, 21211),
    );
    const { jobs } = await launch('address\n07700 900701\n');
    await runJobs(world.sender, jobs, time);
    await runJobs(world.sender, jobs, time);
    expect(sent).toHaveLength(0);
    expect(await world.ledger.state(FLOW, jobs[0]?.ref ?? '')).toBe('failed');
    expect((await world.stats.read(FLOW)).failed).toBe(before.failed + 1);
  });

  it('tries again when Twilio was busy and nothing went, then sends once', async () => {
    const sent = interceptTwilio(
      () => time.now,
      () => undefined,
      (before) => (before < 4 ? twilioError(503, 20503) : undefined),
    );
    const { jobs } = await launch('address\n07700 900702\n');
    const job = jobs[0] as InvitationJob;
    await expect(world.sender.handle(job)).rejects.toBeInstanceOf(InvitationRetryError);
    expect(sent).toHaveLength(0);
    expect(await world.ledger.state(FLOW, job.ref)).toBe('retry');
    // The queue's retry, after its backoff.
    await runJobs(world.sender, [{ ...job, runAt: time.now + 30_000 }], time);
    expect(sent.map((message) => message.to)).toEqual(['+447700900702', '+447700900702']);
    expect(await world.ledger.state(FLOW, job.ref)).toBe('delivered');
  });

  it('records an invitation whose retries ran out as failed', async () => {
    interceptTwilio(
      () => time.now,
      () => undefined,
      () => twilioError(503, 20503),
    );
    const { jobs } = await launch('address\n07700 900703\n');
    const job = jobs[0] as InvitationJob;
    const error = await world.sender.handle(job).catch((caught: unknown) => caught as Error);
    await world.sender.givenUp(job, error as Error);
    expect(await world.ledger.state(FLOW, job.ref)).toBe('failed');
  });

  it('queues again an invitation recorded by a run that stopped before it could queue it', async () => {
    const sent = interceptTwilio(() => time.now);
    const csv = 'address\n07700 900707\n';
    const lost = (await launch(csv)).jobs[0] as InvitationJob;
    // As if the process had stopped between the ledger and the queue: recorded, never queued.
    const rerun = await planLaunch(planDeps, flow, csv, { ratePerSecond: 10, contactCapDays: 0 });
    expect(rerun.invitations).toBe(0);
    expect(rerun.lines.requeue.size).toBe(1);
    const queue = new RecordedQueue();
    expect(await queueLaunch({ ...planDeps, ledger: world.ledger, queue }, rerun)).toEqual({
      queued: 0,
      taken: 0,
      requeued: 1,
    });
    expect(queue.jobs.map((job) => job.id)).toEqual([lost.id]);
    await runJobs(world.sender, queue.jobs, time);
    expect(sent).toHaveLength(2);
  });

  it('skips people who opted out or began another conversation since the launch, and never resends one cut off mid-send', async () => {
    const sent = interceptTwilio(() => time.now);
    const before = await world.stats.read(FLOW);
    const { jobs } = await launch('address\n07700 900704\nwhatsapp:+447700900705\n07700 900706\n');
    const [optedOut, busy, cutOff] = jobs as [InvitationJob, InvitationJob, InvitationJob];
    await world.runtime.store.setOptedOut({ channel: 'sms', address: '+447700900704' }, true);
    await world.runtime.conversations.start(busy.key, 'friends-and-family');
    await world.ledger.move(FLOW, cutOff.ref, ['queued'], 'sending');
    await runJobs(world.sender, jobs, time);
    expect(sent).toHaveLength(0);
    expect(await world.ledger.state(FLOW, optedOut.ref)).toBe('skipped');
    expect(await world.ledger.state(FLOW, busy.ref)).toBe('skipped');
    expect(await world.ledger.state(FLOW, cutOff.ref)).toBe('sending');
    expect((await world.stats.read(FLOW)).skipped).toBe(before.skipped + 2);
  });
});
