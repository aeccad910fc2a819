import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { loadConfig } from '../config.js';
import { RedisFlowStats, type FlowStatCounts, type FlowStats } from '../store/flow-stats.js';
import {
  describeRetention,
  storedRetention,
  type RetentionSummary,
} from '../privacy/retention-summary.js';

/** The counts in the order a coordinator reads them, with what each means. */
const ROWS: readonly (readonly [keyof FlowStatCounts | 'not_yet_sent', string])[] = [
  ['invited', 'invitations queued'],
  ['not_yet_sent', 'waiting for their turn or for quiet hours to end'],
  ['delivered', 'invitations handed to Twilio or posted in Slack'],
  ['skipped', 'not sent: opted out or in another conversation by then'],
  ['failed', 'invitations that could not be sent'],
  ['started', 'conversations started'],
  ['completed', 'conversations completed'],
  ['expired', 'conversations that expired unfinished'],
  ['halted', 'conversations stopped by a problem in the flow'],
  ['declined', 'people who said no to taking part'],
  ['opted_out', 'people who sent STOP'],
];

/** The flow's counters, one read (no scan of sessions), and what follows from them. */
export async function runStatus(
  stats: Pick<FlowStats, 'read'>,
  flowId: string,
  json: boolean,
  out: Writable,
  retention?: RetentionSummary,
): Promise<number> {
  const counts = await stats.read(flowId);
  const notYetSent = Math.max(
    0,
    counts.invited - counts.delivered - counts.failed - counts.skipped,
  );
  if (json) {
    out.write(
      `${JSON.stringify({ flow: flowId, ...counts, not_yet_sent: notYetSent, retention })}\n`,
    );
    return 0;
  }
  const value = (field: (typeof ROWS)[number][0]): number =>
    field === 'not_yet_sent' ? notYetSent : counts[field];
  const width = Math.max(...ROWS.map(([field]) => String(value(field)).length));
  out.write(`${flowId}\n`);
  for (const [field, meaning] of ROWS) {
    out.write(
      `  ${field.replaceAll('_', ' ').padEnd(13)} ${String(value(field)).padStart(width)}  ${meaning}\n`,
    );
  }
  if (retention !== undefined) out.write(`  ${describeRetention(retention)}\n`);
  return 0;
}

/** `carevoice status <flow>`. */
export async function status(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  out: Writable,
  err: Writable,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { json: { type: 'boolean' } },
  });
  const [flowId] = positionals;
  if (flowId === undefined || positionals.length > 1) {
    err.write('carevoice: status needs one flow id, e.g. carevoice status day-centre-weekends\n');
    return 1;
  }
  const config = loadConfig(env);
  if (config.redisUrl === undefined) {
    err.write("carevoice: status needs REDIS_URL: the counts are kept in the server's Redis\n");
    return 1;
  }
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2 });
  try {
    return await runStatus(
      new RedisFlowStats(redis, config.redisPrefix),
      flowId,
      values.json === true,
      out,
      await storedRetention(redis, config, flowId),
    );
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}
