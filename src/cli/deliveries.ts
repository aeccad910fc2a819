import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { loadConfig } from '../config.js';
import { BullDeliveryQueue } from '../partners/bullmq-delivery-queue.js';
import type { Delivery } from '../partners/delivery.js';
import {
  HeldDeliveries,
  type DeliveriesOverview,
  type ReplayResult,
} from '../partners/held-deliveries.js';
import { RedisPartnerState } from '../partners/redis-partner-state.js';

export type DeliveriesCommand = 'deliveries' | 'replay' | 'partners';

/** The command line could not be read; the message says how to fix it. */
class DeliveriesUsageError extends Error {
  readonly code = 'invalid_input';
}

/**
 * `carevoice deliveries`, `replay` and `partners enable`, against the Redis the servers share.
 * Exit 1 when something asked for was not done (an id not held, a partner still disabled) or
 * the command line is wrong.
 */
export async function deliveriesCommand(
  command: DeliveriesCommand,
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  out: Writable,
  err: Writable,
): Promise<number> {
  const config = loadConfig(env);
  const url = config.redisUrl;
  if (url === undefined) {
    err.write(
      `carevoice: ${command} needs REDIS_URL: without it deliveries live in the server's memory; ask the server (GET /api/deliveries/partners)\n`,
    );
    return 1;
  }
  const redis = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 5_000 });
  redis.on('error', () => undefined);
  let queue: BullDeliveryQueue | undefined;
  const requeue = (delivery: Delivery): Promise<void> => {
    queue ??= new BullDeliveryQueue({
      connection: { url },
      prefix: `${config.redisPrefix}jobs`,
      concurrency: 1,
      onError: () => undefined,
    });
    return queue.requeue(delivery);
  };
  const held = new HeldDeliveries(new RedisPartnerState({ redis, prefix: config.redisPrefix }), {
    requeue,
  });
  try {
    return await runDeliveriesCommand(command, args, held, out);
  } catch (error) {
    if (!(error instanceof DeliveriesUsageError)) throw error;
    err.write(`carevoice: ${error.message}\n`);
    return 1;
  } finally {
    await queue?.close();
    await redis.quit().catch(() => redis.disconnect());
  }
}

/** The commands on a `HeldDeliveries`, so that tests can run them on any state. */
export async function runDeliveriesCommand(
  command: DeliveriesCommand,
  args: readonly string[],
  held: HeldDeliveries,
  out: Writable,
): Promise<number> {
  switch (command) {
    case 'deliveries': {
      const { values, positionals } = readArgs(args, ['flow', 'partner', 'json']);
      if (positionals.length > 0) {
        throw new DeliveriesUsageError('deliveries takes no ids: filter with --flow and --partner');
      }
      const overview = await held.overview({ flowId: values.flow, partnerId: values.partner });
      out.write(
        values.json === true
          ? `${JSON.stringify(overview, null, 2)}\n`
          : describeOverview(overview),
      );
      return 0;
    }
    case 'replay': {
      const { values, positionals } = readArgs(args, ['all', 'flow', 'partner']);
      if ((values.all === true) === positionals.length > 0) {
        throw new DeliveriesUsageError(
          'replay takes delivery ids, or --all, e.g. carevoice replay --all --partner council',
        );
      }
      const result = await held.replay(
        values.all === true
          ? { all: true, flowId: values.flow, partnerId: values.partner }
          : { ids: positionals },
      );
      out.write(describeReplay(result));
      return result.skipped.length > 0 ? 1 : 0;
    }
    case 'partners': {
      const [action, flowId, partnerId, ...extra] = args;
      if (
        action !== 'enable' ||
        flowId === undefined ||
        partnerId === undefined ||
        extra.length > 0
      ) {
        throw new DeliveriesUsageError('usage: carevoice partners enable <flow> <partner>');
      }
      const result = await held.enable(flowId, partnerId);
      out.write(
        `partner ${partnerId} of ${flowId} ${result.wasDisabled ? 'enabled' : 'was not disabled'}; ` +
          `${plural(result.replayed.length, 'parked delivery', 'parked deliveries')} queued again\n`,
      );
      return 0;
    }
  }
}

const OPTIONS = {
  flow: { type: 'string' },
  partner: { type: 'string' },
  json: { type: 'boolean' },
  all: { type: 'boolean' },
} as const;

/** `parseArgs`, with its complaints (an unknown option, a missing value) as usage errors. */
function readArgs(args: readonly string[], allowed: readonly (keyof typeof OPTIONS)[]) {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], allowPositionals: true, options: OPTIONS });
  } catch (error) {
    throw new DeliveriesUsageError(error instanceof Error ? error.message : String(error));
  }
  const stray = Object.keys(parsed.values).find((name) => !allowed.some((a) => a === name));
  if (stray !== undefined) throw new DeliveriesUsageError(`--${stray} is not an option here`);
  return parsed;
}

function describeOverview(overview: DeliveriesOverview): string {
  const lines = [`${plural(overview.held.length, 'held delivery', 'held deliveries')}`];
  if (overview.held.length > 0) {
    const rows = [
      ['DELIVERY', 'FLOW', 'PARTNER', 'RECORD', 'KIND', 'REASON', 'ATTEMPTS', 'LAST ATTEMPT'],
      ...overview.held.map((h) => [
        h.id,
        h.flowId,
        h.partnerId,
        h.recordId,
        h.kind,
        h.reason,
        String(h.attempts),
        h.lastAttemptAt ?? '-',
      ]),
    ];
    const widths =
      rows[0]?.map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0))) ?? [];
    lines.push(
      ...rows.map((row) =>
        row
          .map((cell, i) => cell.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd(),
      ),
    );
  }
  for (const p of overview.disabledPartners) {
    lines.push(
      `partner ${p.partnerId} of ${p.flowId} is disabled since ${p.since} (${p.reason}): carevoice partners enable ${p.flowId} ${p.partnerId}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const SKIP_WORDS: Readonly<Record<ReplayResult['skipped'][number]['reason'], string>> = {
  not_held: 'not held (delivered, still being attempted, or no such delivery)',
  partner_disabled: 'its partner is disabled: carevoice partners enable <flow> <partner> sends it',
};

function describeReplay(result: ReplayResult): string {
  const lines = [`${plural(result.replayed.length, 'delivery', 'deliveries')} queued again`];
  for (const skipped of result.skipped) lines.push(`${skipped.id}: ${SKIP_WORDS[skipped.reason]}`);
  return `${lines.join('\n')}\n`;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}
