import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Flow } from '../src/flow/flow.js';
import type { InvitationJob } from '../src/launch/invitation-job.js';
import { LISTED_ROWS } from '../src/launch/plan-tally.js';
import { planLaunch, type LaunchPlan, type LaunchPlanDeps } from '../src/launch/plan.js';
import { formatLaunchPlan } from '../src/launch/plan-report.js';
import { queueLaunch } from '../src/launch/queue-launch.js';
import { SLICE_ROWS } from '../src/launch/slices.js';
import { FakeClock, launchWorld, RecordedQueue, type LaunchWorld } from './launch-harness.js';
import { redisTest } from './helpers/redis-server.js';

const FLOW = 'friends-and-family';
const START = Date.parse('2030-03-05T10:00:00Z');
const PEOPLE = 2 * SLICE_ROWS + 600;
const INVALID = LISTED_ROWS + 50;
const OPTED_OUT = LISTED_ROWS + 20;
/** Every this many people, an invalid row follows. */
const INVALID_EVERY = Math.floor(PEOPLE / INVALID);

function phone(i: number): string {
  return `+4477009${String(i).padStart(5, '0')}`;
}

/** The person of line 2 again, in a later slice, among the rejected rows a plan lists. */
const REPEATED_AFTER = SLICE_ROWS + 100;

/**
 * A file longer than two slices: every few people's rows an invalid one follows, one
 * row in the second slice repeats the first person, and more people have opted out and more
 * rows are invalid than a plan lists by line.
 */
function participantsFile(): string {
  const rows = ['address,name'];
  for (let i = 0; i < PEOPLE; i++) {
    rows.push(`0${phone(i).slice(3)},Person ${i}`);
    if (i % INVALID_EVERY === 0 && i / INVALID_EVERY < INVALID)
      rows.push(`01632 96${String(i).padStart(4, '0')},x`);
    if (i === REPEATED_AFTER) rows.push(`whatsapp:${phone(0)},Again`);
  }
  return rows.join('\n');
}

/** A queue that fails its `failOn`-th write, as Redis going away mid-launch would. */
class FailingQueue extends RecordedQueue {
  constructor(private readonly failOn: number) {
    super();
  }
  override async addAll(jobs: readonly InvitationJob[]): Promise<void> {
    if (this.adds + 1 === this.failOn) {
      this.adds++;
      throw Object.assign(new Error('queue unreachable'), { code: 'ECONNRESET' });
    }
    await super.addAll(jobs);
  }
}

describe('a launch longer than a slice', () => {
  const redisEnv = redisTest();
  const time = new FakeClock(START);
  let world: LaunchWorld;
  let flow: Flow;
  let deps: LaunchPlanDeps;
  const file = participantsFile();
  const settings = { ratePerSecond: 50, contactCapDays: 0 };

  beforeAll(async () => {
    world = await launchWorld(redisEnv(), time);
    flow = world.runtime.flows.get(FLOW) as Flow;
    deps = {
      ledger: world.ledger,
      pacer: world.pacer,
      store: world.runtime.store,
      translate: world.runtime.translate,
      secret: world.config.pseudonymKey,
      twilio: true,
      lookupSlackEmail: undefined,
      clock: time.clock,
    };
    for (let i = 1; i <= OPTED_OUT; i++)
      await world.runtime.store.setOptedOut({ channel: 'sms', address: phone(i * 7) }, true);
  });
  afterAll(async () => world?.close());

  let plan: LaunchPlan;

  it('plans every row, listing the first rows of each kind and counting the rest', async () => {
    plan = await planLaunch(deps, flow, file, settings);
    expect(plan.rows).toBe(PEOPLE + INVALID + 1);
    expect(plan.rejected.count).toBe(INVALID + 1);
    expect(plan.rejected.first).toHaveLength(LISTED_ROWS);
    expect(plan.skipped.opted_out.count).toBe(OPTED_OUT);
    expect(plan.invitations).toBe(PEOPLE - OPTED_OUT);
    const report = formatLaunchPlan(plan, { pricePerSegment: 0.04, currency: 'GBP' });
    expect(report).toContain(
      `  … and ${INVALID + 1 - LISTED_ROWS} more (the first ${LISTED_ROWS} are listed)`,
    );
    expect(report).toMatch(
      new RegExp(`opted out \\(sent STOP\\): ${OPTED_OUT}, lines [\\d, ]+ and 20 more\\n`),
    );
    expect(report).toMatch(
      new RegExp(`sms +${PEOPLE - OPTED_OUT} +\\(en ${PEOPLE - OPTED_OUT}\\)`),
    );
    // The person repeated a slice later is the person of the first row.
    const repeated = file.split('\n').indexOf(`whatsapp:${phone(0)},Again`) + 1;
    expect(report).toContain(`  line ${repeated}: the same person as line 2\n`);
  });

  it('queues each person once, a slice at a time, and again after a run that stopped part-way', async () => {
    const queue = new FailingQueue(2);
    await expect(queueLaunch({ ...deps, ledger: world.ledger, queue }, plan)).rejects.toMatchObject(
      {
        code: 'ECONNRESET',
      },
    );
    // The first slice was queued; the second was recorded in the ledger but never queued.
    expect(queue.jobs).toHaveLength(SLICE_ROWS);
    // Planned one after another at the rate: each job after the one before it.
    const times = queue.jobs.map((job) => job.runAt);
    expect(times.every((at, k) => k === 0 || at > (times[k - 1] ?? 0))).toBe(true);
    const rerun = await planLaunch(deps, flow, file, settings);
    expect(rerun.lines.requeue.size).toBe(2 * SLICE_ROWS);
    expect(rerun.invitations).toBe(plan.invitations - 2 * SLICE_ROWS);
    expect(await queueLaunch({ ...deps, ledger: world.ledger, queue }, rerun)).toEqual({
      queued: plan.invitations - 2 * SLICE_ROWS,
      taken: 0,
      requeued: 2 * SLICE_ROWS,
    });
    const people = new Set(queue.jobs.map((job) => job.key.address));
    expect(people.size).toBe(plan.invitations);
    expect(queue.jobs).toHaveLength(plan.invitations);
    expect((await world.stats.read(FLOW)).invited).toBe(plan.invitations);
  });

  it('reports progress after each slice', async () => {
    const again = await planLaunch(deps, flow, file, settings);
    const steps: [number, number][] = [];
    await queueLaunch(
      { ...deps, ledger: world.ledger, queue: new RecordedQueue() },
      again,
      (done, total) => steps.push([done, total]),
    );
    const total = plan.invitations;
    expect(steps).toEqual(
      Array.from({ length: Math.ceil(total / SLICE_ROWS) }, (_, k) => [
        Math.min((k + 1) * SLICE_ROWS, total),
        total,
      ]),
    );
  });
});
