import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { flowStatsKey } from '../../src/store/flow-stats.js';
import { expectSuccess, runCli } from './cli-run.js';
import { DEMO_FLOW } from './sample-conversation.js';
import { benchPhone } from './session-commits.js';

export interface LaunchRun {
  readonly invitations: number;
  /** `carevoice launch <flow> --participants <file> --yes`, start to exit. */
  readonly wallMs: number;
  readonly invitationsPerSecond: number;
  readonly peakRssMiB: number;
  /** From the start until the first invitation was recorded: reading the file and planning. */
  readonly planMs: number | undefined;
  /** Jobs in the invitation queue afterwards, waiting or delayed: every one, none sent. */
  readonly jobsWaiting: number;
}

export interface LaunchContext {
  /** The bench's one connection to this Redis. */
  readonly redis: Redis;
  readonly redisUrl: string;
  readonly carevoice: string;
  readonly env: Readonly<Record<string, string>>;
  /** A scratch folder for the participants file (removed after). */
  readonly dir: string;
}

/** BullMQ's queue name for invitations (src/launch/invitation-queue.ts); a change shows as 0 jobs. */
const INVITATION_QUEUE = 'invitations';
const LANGUAGES = ['en', 'cy', 'pl'];

/**
 * Launches the demo flow to `invitations` people with the real `carevoice launch --yes`,
 * on a Redis no server uses: the invitations are recorded and queued, and nothing sends
 * them. Afterwards it checks that every one is recorded and waiting in the queue, that no
 * job was taken, sent or failed, and that no other client is connected (no sender could
 * have run).
 */
export async function measureLaunch(
  context: LaunchContext,
  prefix: string,
  invitations: number,
): Promise<LaunchRun> {
  const file = join(context.dir, 'participants.csv');
  writeFileSync(file, participantsCsv(invitations));
  const { redis } = context;
  const stats = flowStatsKey(prefix, DEMO_FLOW);
  let planMs: number | undefined;
  let polling = false;
  try {
    const run = expectSuccess(
      'carevoice launch',
      await runCli({
        script: context.carevoice,
        args: ['launch', DEMO_FLOW, '--participants', file, '--yes'],
        env: { ...context.env, REDIS_PREFIX: prefix },
        keepOutput: true,
        onSample: (elapsedMs) => {
          if (planMs !== undefined || polling) return;
          polling = true;
          void redis.hget(stats, 'invited').then((invited) => {
            polling = false;
            if (Number(invited) > 0) planMs ??= elapsedMs;
          });
        },
      }),
    );
    if (!run.output.includes(`Queued ${invitations} invitations`))
      throw new Error(`carevoice launch did not queue ${invitations}: ${run.output.slice(-1000)}`);
    const jobsWaiting = await checkNothingSent(redis, context.redisUrl, prefix, invitations);
    return {
      invitations,
      wallMs: run.wallMs,
      invitationsPerSecond: invitations / (run.wallMs / 1000),
      peakRssMiB: run.peakRssMiB,
      planMs,
      jobsWaiting,
    };
  } finally {
    rmSync(file, { force: true });
  }
}

/** `address,name,language`: national UK mobile numbers with a space, as spreadsheets hold them. */
function participantsCsv(rows: number): string {
  const lines = ['address,name,language'];
  for (let i = 0; i < rows; i++) {
    const national = `0${benchPhone(i).slice(3)}`;
    lines.push(`${national.slice(0, 5)} ${national.slice(5)},Person ${i},${LANGUAGES[i % 3]}`);
  }
  return `${lines.join('\n')}\n`;
}

async function checkNothingSent(
  redis: Redis,
  url: string,
  prefix: string,
  invitations: number,
): Promise<number> {
  // Only the bench's own connection: no server, so no sender, is on this Redis.
  const clients = (await redis.client('LIST')) as string;
  const others = clients.split('\n').filter((line) => line.trim() !== '').length - 1;
  if (others !== 0) throw new Error(`${others} other clients are connected to the launch's Redis`);
  const counts = await redis.hgetall(flowStatsKey(prefix, DEMO_FLOW));
  if (Number(counts['invited']) !== invitations || Number(counts['delivered'] ?? 0) !== 0)
    throw new Error(`after the launch the flow counts ${JSON.stringify(counts)}`);
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  const queue = new Queue(INVITATION_QUEUE, { connection, prefix: `${prefix}jobs` });
  try {
    const jobs = await queue.getJobCounts('wait', 'delayed', 'active', 'completed', 'failed');
    const taken = (jobs['active'] ?? 0) + (jobs['completed'] ?? 0) + (jobs['failed'] ?? 0);
    const waiting = (jobs['wait'] ?? 0) + (jobs['delayed'] ?? 0);
    if (taken !== 0 || waiting !== invitations)
      throw new Error(`after the launch the invitation queue holds ${JSON.stringify(jobs)}`);
    return waiting;
  } finally {
    await queue.close();
    await connection.quit();
  }
}
