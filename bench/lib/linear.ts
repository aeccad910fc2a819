import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { measureExport, ResponsesFill, type ExportRun } from './export-cost.js';
import { measureLaunch, type LaunchRun } from './launch-cost.js';
import { startRedis, type Cleanup } from './processes.js';
import { playSampleConversation } from './sample-conversation.js';
import { SampleCommits } from './session-commits.js';
import {
  measureCommandStart,
  measureStatus,
  type CommandStart,
  type StatusRun,
} from './status-cost.js';
import { row, type Row } from './table.js';

export interface LinearSizes {
  /** The export is measured at both sizes; its peak RSS must not grow from the first to the second. */
  readonly exportRows: readonly [number, number];
  /** `status` on a flow with each number of sessions: the same work for both. */
  readonly statusSessions: readonly [number, number];
  readonly invitations: number;
}

export const LINEAR_SIZES: Readonly<Record<'full' | 'quick', LinearSizes>> = {
  full: {
    exportRows: [100_000, 1_000_000],
    statusSessions: [1_000, 100_000],
    invitations: 100_000,
  },
  quick: { exportRows: [10_000, 100_000], statusSessions: [1_000, 10_000], invitations: 10_000 },
};

export interface LinearFigures {
  readonly sizes: LinearSizes;
  /** Bytes of the record JSON each stored response holds. */
  readonly recordBytes: number;
  /** Time to fill the stream up to each export size, ms. */
  readonly fillMs: readonly number[];
  readonly exports: readonly [ExportRun, ExportRun];
  /** Time to commit each flow's sessions through the real store, ms. */
  readonly commitMs: readonly number[];
  readonly status: readonly [StatusRun, StatusRun];
  readonly commandStart: CommandStart;
  readonly launch: LaunchRun;
}

export interface LinearOptions {
  readonly sizes: LinearSizes;
  /** Compiled `carevoice` and the export floor. */
  readonly carevoice: string;
  readonly exportFloor: string;
  /** The carevoice environment (REDIS_URL and REDIS_PREFIX are set here). */
  readonly env: Readonly<Record<string, string>>;
  readonly cleanup: Cleanup;
  readonly log: (line: string) => void;
}

const STATUS_RUNS = 3;

/**
 * Costs that must grow no faster than the work (or not at all), each measured with the real
 * command as a child process, against a redis-server of their own that no carevoice server
 * uses: nothing polls it, so its command counts are the command's alone, and no sender can
 * take the launch's invitations.
 */
export async function measureLinearCosts(options: LinearOptions): Promise<LinearFigures> {
  const { sizes, log } = options;
  const server = options.cleanup.add(await startRedis());
  const redis = new Redis(server.url);
  const scratch = mkdtempSync(join(tmpdir(), 'carevoice-bench-linear-'));
  const env = { ...options.env, REDIS_URL: server.url };
  const secret = options.env['PSEUDONYM_KEY'] ?? '';
  const sample = playSampleConversation(new Date());
  const timed = async (work: () => Promise<unknown>): Promise<number> => {
    const started = performance.now();
    await work();
    return performance.now() - started;
  };
  try {
    const exportContext = {
      redis,
      prefix: 'bench-export:',
      carevoice: options.carevoice,
      floor: options.exportFloor,
      env,
    };
    const fill = new ResponsesFill(exportContext, sample, secret);
    const fillMs: number[] = [];
    const exports: ExportRun[] = [];
    for (const rows of sizes.exportRows) {
      log(`filling a responses stream up to ${rows} records`);
      fillMs.push(await timed(() => fill.upTo(rows)));
      log(`export of ${rows} responses, and the XRANGE floor`);
      exports.push(await measureExport(exportContext, rows));
    }
    await redis.unlink(fill.key);

    const commitMs: number[] = [];
    const status: StatusRun[] = [];
    for (const sessions of sizes.statusSessions) {
      const prefix = `bench-status-${sessions}:`;
      log(`committing ${sessions} sessions, then carevoice status`);
      const commits = new SampleCommits(redis, prefix, secret, sample);
      commitMs.push(await timed(() => commits.people(0, sessions, new Date())));
      status.push(
        await measureStatus(
          { redis, carevoice: options.carevoice, env },
          prefix,
          sessions,
          STATUS_RUNS,
        ),
      );
    }

    log('carevoice help and bare node: what a command costs before it starts work');
    const commandStart = await measureCommandStart(options.carevoice, env, STATUS_RUNS);

    log(`launching to ${sizes.invitations} people (queued, never sent)`);
    const launch = await measureLaunch(
      { redis, redisUrl: server.url, carevoice: options.carevoice, env, dir: scratch },
      'bench-launch:',
      sizes.invitations,
    );
    return {
      sizes,
      recordBytes: fill.recordBytes,
      fillMs,
      exports: pair(exports),
      commitMs,
      status: pair(status),
      commandStart,
      launch,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    await redis.quit();
    await server.stop();
  }
}

function pair<T>(list: readonly T[]): [T, T] {
  const [first, second] = list;
  if (first === undefined || second === undefined) throw new Error('a linear cost is missing');
  return [first, second];
}

const count = (n: number): string => n.toLocaleString('en-GB');

/**
 * The rows of the table, the same whether or not they were measured (`--no-linear`), so
 * runs line up.
 */
export function linearCostRows(figures: LinearFigures | undefined, sizes: LinearSizes): Row[] {
  const [small, large] = sizes.exportRows;
  const [fewSessions, manySessions] = sizes.statusSessions;
  const names = {
    smallRate: `export ${count(small)} responses (CSV): rows/s`,
    smallRss: `export ${count(small)} responses: peak RSS`,
    largeRate: `export ${count(large)} responses (CSV): rows/s`,
    largeRss: `export ${count(large)} responses: peak RSS`,
    statusTime: `status counts, flow with ${count(manySessions)} sessions: time`,
    statusCommands: `status counts, flow with ${count(manySessions)} sessions: Redis commands`,
    start: 'carevoice command start (help)',
    launchRate: `queue ${count(sizes.invitations)} launch invitations`,
    launchRss: `queue ${count(sizes.invitations)} launch invitations: peak RSS`,
  };
  if (figures === undefined) {
    const skipped = (figure: string, unit: string): Row =>
      row(figure, undefined, unit, { note: 'not measured (--no-linear)' });
    return [
      skipped(names.smallRate, 'rows/s'),
      skipped(names.smallRss, 'MiB'),
      skipped(names.largeRate, 'rows/s'),
      skipped(names.largeRss, 'MiB'),
      skipped(names.statusTime, 'ms'),
      skipped(names.statusCommands, ''),
      skipped(names.start, 'ms'),
      skipped(names.launchRate, 'invitations/s'),
      skipped(names.launchRss, 'MiB'),
    ];
  }
  const [first, second] = figures.exports;
  const [few, many] = figures.status;
  const floor = (value: number): Row['baseline'] => ({ label: 'bare XRANGE loop', value });
  const rate = { kind: 'value', op: '>=', bound: 50_000 } as const;
  return [
    row(names.smallRate, first.carevoice.rowsPerSecond, 'rows/s', {
      baseline: floor(first.floor.rowsPerSecond),
      target: rate,
    }),
    row(names.smallRss, first.carevoice.peakRssMiB, 'MiB', {
      baseline: floor(first.floor.peakRssMiB),
    }),
    row(names.largeRate, second.carevoice.rowsPerSecond, 'rows/s', {
      baseline: floor(second.floor.rowsPerSecond),
      target: rate,
    }),
    row(names.largeRss, second.carevoice.peakRssMiB, 'MiB', {
      baseline: { label: `${count(small)} responses`, value: first.carevoice.peakRssMiB },
      // The peak comes in the first seconds of either size, where GC timing moves it by ±10 %;
      // memory that grew with the rows would be a multiple.
      target: { kind: 'ratio', op: '<=', bound: 1.2 },
    }),
    row(names.statusTime, many.wallMs, 'ms', {
      baseline: { label: `${count(fewSessions)} sessions`, value: few.wallMs },
    }),
    row(names.statusCommands, many.commands, '', {
      baseline: { label: `${count(fewSessions)} sessions`, value: few.commands },
      target: { kind: 'ratio', op: '=', bound: 1 },
    }),
    row(names.start, figures.commandStart.carevoiceMs, 'ms', {
      baseline: { label: 'node alone', value: figures.commandStart.nodeMs },
    }),
    row(names.launchRate, figures.launch.invitationsPerSecond, 'invitations/s'),
    row(names.launchRss, figures.launch.peakRssMiB, 'MiB'),
  ];
}
