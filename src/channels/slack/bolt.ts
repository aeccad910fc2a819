import { createRequire } from 'node:module';
import type * as Bolt from '@slack/bolt';

let bolt: typeof Bolt | undefined;

/**
 * `@slack/bolt`, loaded the first time Slack is used. With its Web API client, Socket Mode and
 * their HTTP stacks it adds some 15 MiB to a process, which a server without Slack (or a
 * command that never talks to Slack) should not carry. Bolt is CommonJS, so it loads
 * synchronously and the channel, client and logger keep their plain, synchronous shapes.
 */
export function loadBolt(): typeof Bolt {
  bolt ??= createRequire(import.meta.url)('@slack/bolt') as typeof Bolt;
  return bolt;
}
