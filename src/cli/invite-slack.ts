import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { createSlackClient } from '../channels/slack/client.js';
import { readSlackConfig } from '../channels/slack/config.js';
import {
  inviteSlackUsers,
  type InviteResult,
  type InviteStatus,
  type SlackInviteDeps,
  type SlackInviteOptions,
} from '../channels/slack/invite.js';
import { errorCode } from '../channels/slack/respond.js';
import { createLogger } from '../logger.js';
import { createRuntime } from '../runtime.js';

export interface InviteSlackCommand {
  readonly flowId: string;
  readonly users: readonly string[];
  readonly options: SlackInviteOptions;
}

/** The command line could not be read; the message says how to fix it. */
export class InviteSlackUsageError extends Error {
  readonly code = 'invalid_input';
}

/** Statuses that mean the coordinator has something to look at (exit 1). */
const NEEDS_ATTENTION: ReadonlySet<InviteStatus> = new Set([
  'not_delivered',
  'not_found',
  'unreachable',
  'invalid',
  'failed',
]);

const STATUS_WORDS: Readonly<Record<InviteStatus, string>> = {
  invited: 'invited',
  not_delivered: 'started, messages not delivered',
  already_active: 'already in a conversation (use --restart to start again)',
  opted_out: 'opted out (sent STOP)',
  not_found: 'no Slack user with this email',
  unreachable: 'the app cannot message this person',
  invalid: 'not a Slack user id (U…) or an email',
  failed: 'failed',
};

export function parseInviteSlackArgs(args: readonly string[]): InviteSlackCommand {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      lang: { type: 'string' },
      variant: { type: 'string' },
      role: { type: 'string' },
      restart: { type: 'boolean' },
    },
  });
  const [flowId, ...users] = positionals;
  if (flowId === undefined || users.length === 0)
    throw new InviteSlackUsageError(
      'invite-slack needs a flow and at least one Slack user id or email, e.g. carevoice invite-slack day-centre-weekends U0123ABCD carer@example.org',
    );
  if (values.variant !== undefined && values.variant !== 'plain' && values.variant !== 'standard')
    throw new InviteSlackUsageError(`--variant takes plain or standard, not '${values.variant}'`);
  return {
    flowId,
    users,
    options: {
      language: values.lang,
      variant: values.variant,
      role: values.role,
      restart: values.restart === true,
    },
  };
}

/** Invites and prints one line per person (masked) and a summary; 1 when any needs a look. */
export async function runInviteSlack(
  deps: SlackInviteDeps,
  command: InviteSlackCommand,
  out: Writable,
): Promise<number> {
  const results = await inviteSlackUsers(deps, command.flowId, command.users, command.options);
  results.forEach((result, index) => out.write(`${describe(result, index)}\n`));
  const counts = new Map<InviteStatus, number>();
  for (const { status } of results) counts.set(status, (counts.get(status) ?? 0) + 1);
  const summary = [...counts].map(([status, count]) => `${count} ${status.replaceAll('_', ' ')}`);
  out.write(`${summary.join(', ')} (of ${results.length})\n`);
  return results.some((result) => NEEDS_ATTENTION.has(result.status)) ? 1 : 0;
}

/** `carevoice invite-slack`: reads the environment, builds the runtime, invites, closes. */
export async function inviteSlack(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  out: Writable,
  err: Writable,
): Promise<number> {
  let command: InviteSlackCommand;
  try {
    command = parseInviteSlackArgs(args);
  } catch (error) {
    err.write(`carevoice: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  const config = loadConfig(env);
  // Until Config carries `slack`, read the same variables the same way.
  const { slack, problems } = readSlackConfig(env);
  if (slack === undefined || config.redisUrl === undefined) {
    const reasons = [
      ...problems,
      ...(slack === undefined && problems.length === 0
        ? ['Slack is not set up: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET']
        : []),
      ...(config.redisUrl === undefined
        ? [
            "REDIS_URL is not set: the invitation must live in the server's Redis, not in this command's memory",
          ]
        : []),
    ];
    reasons.forEach((reason) => err.write(`carevoice: ${reason}\n`));
    return 1;
  }
  // Log lines go to standard error, so standard output is only the result.
  const logger = createLogger(config.logLevel, process.stderr);
  const runtime = await createRuntime(config, { logger });
  try {
    const client = createSlackClient(slack, { logger, retries: 3 });
    return await runInviteSlack({ ...runtime, client }, command, out);
  } catch (error) {
    const code = errorCode(error);
    if (!(error instanceof Error) || (code !== 'flow_not_found' && code !== 'invalid_input'))
      throw error;
    err.write(`carevoice: ${error.message}\n`);
    return 1;
  } finally {
    await runtime.close();
  }
}

/** "3. c…@example.org  invited": enough to find the line in one's own list, no more. */
function describe(result: InviteResult, index: number): string {
  const code = result.code === undefined ? '' : ` (${result.code})`;
  return `${index + 1}. ${mask(result.user)}  ${STATUS_WORDS[result.status]}${code}`;
}

function mask(user: string): string {
  const at = user.indexOf('@');
  if (at > 0) return `${user[0] ?? ''}…${user.slice(at)}`;
  return user.length > 6 ? `${user.slice(0, 3)}…${user.slice(-2)}` : user;
}
