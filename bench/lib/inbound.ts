import type { Redis } from 'ioredis';
import { runLoad, type LoadOptions, type LoadResult } from './load.js';
import { cpuMs, sampleRss } from './processes.js';
import type { ConversationTraffic } from './traffic.js';

export interface RunOptions extends LoadOptions {
  readonly warmupSec: number;
  /** Requests signed in advance per second of run; more are built during the run (counted). */
  readonly poolPerSecond: number;
}

export interface MeasuredRun extends LoadResult {
  /** Peak summed RSS of the servers during the warm-up and the measured run, MiB. */
  readonly rssPeakMiB: number;
  /** Requests built during the measured run because the pool ran out (should be 0). */
  readonly builtLate: number;
  /** CPU time the servers spent per request in the measured run, µs: less noisy than req/s. */
  readonly serverCpuUsPerRequest: number;
  /** Commands Redis ran, and its CPU time, per request (when the run uses Redis). */
  readonly redisCommandsPerRequest: number;
  readonly redisCpuUsPerRequest: number;
  /** Calls per request by command (scripts' own calls included), the largest first. */
  readonly redisCallsPerRequest: Readonly<Record<string, number>>;
}

/** A warm-up run, then the measured run, against the same targets; RSS sampled throughout. */
export async function measuredRun(
  targets: readonly { readonly url: string; readonly pid: number }[],
  traffic: ConversationTraffic,
  options: RunOptions,
  redis?: Redis,
): Promise<MeasuredRun> {
  const urls = targets.map((t) => t.url);
  const rss = sampleRss(targets.map((t) => t.pid));
  try {
    if (options.warmupSec > 0) {
      const warm = traffic.take(Math.ceil(options.warmupSec * options.poolPerSecond));
      await runLoad(urls, warm, { ...options, durationSec: options.warmupSec });
      warm.finish();
    }
    const feed = traffic.take(Math.ceil(options.durationSec * options.poolPerSecond));
    const serverCpu = (): number => targets.reduce((sum, t) => sum + cpuMs(t.pid), 0);
    const before = {
      cpu: serverCpu(),
      redis: redis === undefined ? undefined : await redisWork(redis),
    };
    const result = await runLoad(urls, feed, options);
    const after = {
      cpu: serverCpu(),
      redis: redis === undefined ? undefined : await redisWork(redis),
    };
    feed.finish();
    const perRequest = (delta: number): number => delta / Math.max(1, result.requests);
    return {
      ...result,
      rssPeakMiB: rss.stop(),
      builtLate: feed.builtLate,
      serverCpuUsPerRequest: perRequest((after.cpu - before.cpu) * 1000),
      redisCommandsPerRequest: perRequest(
        (after.redis?.commands ?? 0) - (before.redis?.commands ?? 0),
      ),
      redisCpuUsPerRequest: perRequest(
        ((after.redis?.cpuMs ?? 0) - (before.redis?.cpuMs ?? 0)) * 1000,
      ),
      redisCallsPerRequest: Object.fromEntries(
        Object.entries(after.redis?.calls ?? {})
          .map(
            ([name, calls]) =>
              [name, perRequest(calls - (before.redis?.calls[name] ?? 0))] as const,
          )
          .filter(([, calls]) => calls >= 0.01)
          .sort((a, b) => b[1] - a[1])
          .map(([name, calls]) => [name, Math.round(calls * 100) / 100]),
      ),
    };
  } finally {
    rss.stop();
  }
}

/** Commands processed and CPU ms used by Redis so far (INFO stats and cpu). */
async function redisWork(
  redis: Redis,
): Promise<{ commands: number; cpuMs: number; calls: Record<string, number> }> {
  const info = await redis.info('everything');
  const calls: Record<string, number> = {};
  for (const [, name, count] of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (name !== undefined) calls[name] = Number(count);
  }
  const field = (name: string): number =>
    Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return {
    commands: field('total_commands_processed'),
    cpuMs: (field('used_cpu_sys') + field('used_cpu_user')) * 1000,
    calls,
  };
}

/** The median of each figure over runs (the lower middle one for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted[Math.floor((sorted.length - 1) / 2)];
  if (middle === undefined) throw new Error('no runs to take a median of');
  return middle;
}
