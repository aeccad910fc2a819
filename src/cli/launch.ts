import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { createSlackClient } from '../channels/slack/client.js';
import { loadConfig, type Config } from '../config.js';
import type { Flow } from '../flow/flow.js';
import { createTranslate } from '../i18n/translate.js';
import { RedisInvitationLedger } from '../launch/invitation-ledger.js';
import type { CsvText } from '../launch/csv.js';
import { BullInvitationQueue, type InvitationQueue } from '../launch/invitation-queue.js';
import { ParticipantsFileError } from '../launch/participants.js';
import { LaunchRefusedError, planLaunch, type LaunchPlanDeps } from '../launch/plan.js';
import { formatLaunchPlan, type Pricing } from '../launch/plan-report.js';
import { queueLaunch } from '../launch/queue-launch.js';
import { RedisSendPacer } from '../launch/send-pacer.js';
import { slackLookup } from '../launch/slack-lookup.js';
import { createLogger } from '../logger.js';
import { RedisSessionStore } from '../store/redis-session-store.js';
import { loadLiveContent } from './live-content.js';
import { PRICING_OPTIONS, readPricing } from './pricing-options.js';

export interface LaunchCommand {
  readonly flowId: string;
  readonly participants: string;
  readonly dryRun: boolean;
  readonly yes: boolean;
  readonly pricing: Pricing;
}

/** The command line could not be read; the message says how to fix it. */
export class LaunchUsageError extends Error {
  readonly code = 'invalid_input';
}

export function parseLaunchArgs(args: readonly string[]): LaunchCommand {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      participants: { type: 'string' },
      'dry-run': { type: 'boolean' },
      yes: { type: 'boolean', short: 'y' },
      ...PRICING_OPTIONS,
    },
  });
  const [flowId, ...extra] = positionals;
  if (flowId === undefined || values.participants === undefined || extra.length > 0)
    throw new LaunchUsageError(
      'launch needs a flow and a participants file, e.g. carevoice launch day-centre-weekends --participants people.csv --dry-run',
    );
  const pricing = readPricing(values);
  if (typeof pricing === 'string') throw new LaunchUsageError(pricing);
  return {
    flowId,
    participants: values.participants,
    dryRun: values['dry-run'] === true,
    yes: values.yes === true,
    pricing,
  };
}

export interface LaunchTerminal {
  readonly out: Writable & { readonly isTTY?: boolean };
  /** Asks a yes/no question; undefined when there is nobody to ask (no terminal). */
  readonly ask: ((question: string) => Promise<boolean>) | undefined;
}

export interface LaunchDeps {
  readonly flows: { get(id: string): Flow | undefined; list(): readonly Flow[] };
  readonly plan: LaunchPlanDeps & {
    readonly ledger: LaunchPlanDeps['ledger'] & Pick<RedisInvitationLedger, 'recordAll'>;
  };
  readonly queue: Pick<InvitationQueue, 'addAll'>;
  readonly settings: Pick<Config, 'launchRatePerSecond' | 'contactCapDays'>;
}

/**
 * Plans the launch and prints the plan; unless it is a dry run, asks (or takes `--yes`) and
 * queues the invitations with a progress bar on a terminal. 1 when nothing could be done.
 */
export async function runLaunch(
  deps: LaunchDeps,
  command: LaunchCommand,
  file: CsvText,
  terminal: LaunchTerminal,
): Promise<number> {
  const { out } = terminal;
  const flow = deps.flows.get(command.flowId);
  if (flow === undefined)
    throw new LaunchUsageError(
      `no flow '${command.flowId}'; flows: ${deps.flows
        .list()
        .map((f) => f.id)
        .join(', ')}`,
    );
  const plan = await planLaunch(deps.plan, flow, file, {
    ratePerSecond: deps.settings.launchRatePerSecond,
    contactCapDays: deps.settings.contactCapDays,
  });
  out.write(formatLaunchPlan(plan, command.pricing));
  if (command.dryRun) {
    out.write('\nDry run: nothing was queued.\n');
    return 0;
  }
  if (plan.invitations === 0 && plan.lines.requeue.size === 0) {
    out.write('\nNothing to send.\n');
    return 0;
  }
  if (!command.yes) {
    if (terminal.ask === undefined)
      throw new LaunchUsageError('no terminal to confirm on: add --yes to queue the invitations');
    if (!(await terminal.ask(`\nQueue ${plan.invitations} invitations now? [y/N] `))) {
      out.write('Nothing was queued.\n');
      return 1;
    }
  }
  const outcome = await queueLaunch(
    { ...deps.plan, queue: deps.queue },
    plan,
    out.isTTY === true ? progressBar(out) : undefined,
  );
  out.write(
    `\nQueued ${outcome.queued} invitations (launch ${plan.launchId}).` +
      (outcome.requeued > 0
        ? ` ${outcome.requeued} queued by an earlier run are still waiting to be sent.`
        : '') +
      (outcome.taken > 0 ? ` ${outcome.taken} were invited by another launch meanwhile.` : '') +
      `\nThe running server sends them. Follow with: carevoice status ${flow.id}\n`,
  );
  return 0;
}

/** `carevoice launch`: reads the environment and the file, connects to Redis, runs, closes. */
export async function launch(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  out: Writable & { readonly isTTY?: boolean },
  err: Writable,
): Promise<number> {
  let command: LaunchCommand;
  try {
    command = parseLaunchArgs(args);
  } catch (error) {
    if (!(error instanceof LaunchUsageError) && !isParseArgsError(error)) throw error;
    err.write(`carevoice: ${error.message}\n`);
    return 1;
  }
  const config = loadConfig(env);
  if (config.redisUrl === undefined) {
    err.write(
      "carevoice: launch needs REDIS_URL: the invitations are queued in the server's Redis and sent by the server, so the embedded mode cannot launch\n",
    );
    return 1;
  }
  let file: Buffer;
  try {
    // Bytes, not a string: they stay outside the JavaScript heap, read a piece at a time.
    file = await readFile(command.participants);
  } catch (error) {
    err.write(
      `carevoice: cannot read ${command.participants}: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`,
    );
    return 1;
  }
  // A slice's opt-out reads, a thousand at once, leave in one write.
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2, enableAutoPipelining: true });
  const queue = new BullInvitationQueue(config.redisUrl, `${config.redisPrefix}jobs`);
  const logger = createLogger(config.logLevel, process.stderr);
  const ledger = new RedisInvitationLedger(redis, config.redisPrefix);
  try {
    const { flows, catalog } = await loadLiveContent(config, redis, err);
    const translate = createTranslate(catalog, (ns) => flows.get(ns)?.languages[0] ?? 'en');
    return await runLaunch(
      {
        flows,
        plan: {
          ledger,
          pacer: new RedisSendPacer(redis, config.redisPrefix),
          store: new RedisSessionStore({
            redis,
            prefix: config.redisPrefix,
            secret: config.pseudonymKey,
          }),
          translate,
          secret: config.pseudonymKey,
          twilio: config.twilio !== undefined,
          lookupSlackEmail:
            config.slack === undefined
              ? undefined
              : slackLookup(createSlackClient(config.slack, { logger, retries: 3 })),
          clock: () => new Date(),
        },
        queue,
        settings: config,
      },
      command,
      file,
      { out, ask: process.stdin.isTTY ? askOnTerminal : undefined },
    );
  } catch (error) {
    if (error instanceof ParticipantsFileError) {
      err.write(`carevoice: ${command.participants}: ${error.message}\n`);
      return 1;
    }
    if (error instanceof LaunchRefusedError || error instanceof LaunchUsageError) {
      err.write(`carevoice: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await queue.close();
    await redis.quit().catch(() => redis.disconnect());
  }
}

async function askOnTerminal(question: string): Promise<boolean> {
  const reader = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await reader.question(question)).trim());
  } finally {
    reader.close();
  }
}

/** `queueing [##########..........] 120/240`, redrawn in place. */
function progressBar(out: Writable): (done: number, total: number) => void {
  const width = 30;
  return (done, total) => {
    const filled = total === 0 ? width : Math.round((done / total) * width);
    out.write(`\r  queueing [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
    if (done === total) out.write('\n');
  };
}

function isParseArgsError(error: unknown): error is TypeError {
  return (
    error instanceof TypeError &&
    String((error as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS')
  );
}
