import type { Redis } from 'ioredis';
import { expectSuccess, runCli, type CliRun } from './cli-run.js';
import { median } from './inbound.js';
import { DEMO_FLOW } from './sample-conversation.js';

export interface StatusRun {
  readonly sessions: number;
  /** `carevoice status <flow> --json`, start to exit (median of the runs). */
  readonly wallMs: number;
  /** Redis commands the command sent (`INFO commandstats`, one run). */
  readonly commands: number;
  readonly commandsByName: Record<string, number>;
  /** Redis's own time on them, µs (`usec` of `INFO commandstats`, one run). */
  readonly redisUs: number;
}

export interface StatusContext {
  readonly redis: Redis;
  readonly carevoice: string;
  readonly env: Readonly<Record<string, string>>;
}

/**
 * Runs the real `carevoice status <flow> --json` against the flow under `prefix` `runs`
 * times, counting the Redis commands of each run (`CONFIG RESETSTAT` before, `INFO
 * commandstats` after: the Redis is the bench's own, and nothing else uses it meanwhile),
 * and checks the counts it prints against the sessions committed.
 */
export async function measureStatus(
  context: StatusContext,
  prefix: string,
  sessions: number,
  runs: number,
): Promise<StatusRun> {
  const times: number[] = [];
  let used: CommandStats = {};
  for (let i = 0; i < runs; i++) {
    await context.redis.config('RESETSTAT');
    const run = expectSuccess(
      'carevoice status',
      await runCli({
        script: context.carevoice,
        args: ['status', DEMO_FLOW, '--json'],
        env: { ...context.env, REDIS_PREFIX: prefix },
        keepOutput: true,
      }),
    );
    used = await commandStats(context.redis);
    times.push(run.wallMs);
    const counts = JSON.parse(run.output) as { started?: number; completed?: number };
    if (counts.started !== sessions || counts.completed !== Math.ceil(sessions / 2))
      throw new Error(`carevoice status counted ${run.output.trim()} for ${sessions} sessions`);
  }
  const names = Object.entries(used);
  return {
    sessions,
    wallMs: median(times),
    commands: names.reduce((sum, [, stat]) => sum + stat.calls, 0),
    commandsByName: Object.fromEntries(names.map(([name, stat]) => [name, stat.calls])),
    redisUs: names.reduce((sum, [, stat]) => sum + stat.usec, 0),
  };
}

type CommandStats = Record<string, { calls: number; usec: number }>;

/** Commands since the last `CONFIG RESETSTAT`, less that reset itself. */
async function commandStats(redis: Redis): Promise<CommandStats> {
  const stats: CommandStats = {};
  for (const match of (await redis.info('commandstats')).matchAll(
    /^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm,
  )) {
    const name = match[1] ?? '';
    if (name !== 'config|resetstat')
      stats[name] = { calls: Number(match[2]), usec: Number(match[3]) };
  }
  return stats;
}

export interface CommandStart {
  /** `carevoice help`: Node's start and every module the command line loads, nothing else. */
  readonly carevoiceMs: number;
  readonly carevoiceRssMiB: number;
  /** `node -e ''`: Node's start alone. */
  readonly nodeMs: number;
}

/**
 * What any carevoice command costs before it does anything (medians of `runs`): a status
 * read of four Redis commands takes about this long, and an export pays it once.
 */
export async function measureCommandStart(
  carevoice: string,
  env: Readonly<Record<string, string>>,
  runs: number,
): Promise<CommandStart> {
  const help: CliRun[] = [];
  const bare: CliRun[] = [];
  for (let i = 0; i < runs; i++) {
    help.push(
      expectSuccess('carevoice help', await runCli({ script: carevoice, args: ['help'], env })),
    );
    bare.push(expectSuccess("node -e ''", await runCli({ script: '-e', args: [''], env })));
  }
  return {
    carevoiceMs: median(help.map((run) => run.wallMs)),
    carevoiceRssMiB: median(help.map((run) => run.peakRssMiB)),
    nodeMs: median(bare.map((run) => run.wallMs)),
  };
}
