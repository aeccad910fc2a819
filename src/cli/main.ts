#!/usr/bin/env node
/**
 * The command line. A command's modules are loaded once it is chosen (`import()` in its case),
 * so `carevoice help` loads nothing and each command only what it uses: Bolt, BullMQ and
 * Twilio's SDK cost a command that needs none of them half a second and 100 MiB to load.
 */
import type { Config } from '../config.js';

const USAGE = `Usage: carevoice <command> [options]

Commands:
  serve                         run the webhook server (and the /chat try-out page)
  validate [files...]           check flow files (default: every file in FLOWS_DIR); exit 1 on any problem
  chat <flow> [--lang cy] [--variant plain] [--role carer]
                                talk to a flow in the terminal, one line per message (works from a pipe)
  lint [files...] [--json] [--respondents 1000] [--price-per-segment 0.0463] [--currency GBP]
                                every SMS a flow can send: encoding, segments, the longest run and its cost
  invite-slack <flow> <user-or-email>... [--lang cy] [--variant plain] [--role carer] [--restart]
                                start the flow in each person's Slack DM with the app (needs REDIS_URL and SLACK_ settings)
  deliveries [--flow F] [--partner P] [--json]
                                partner deliveries that stopped: dead-lettered or parked, and disabled partners (needs REDIS_URL)
  replay <delivery-id>... | --all [--flow F] [--partner P]
                                send held deliveries again: fresh attempts, the same webhook-id
  partners enable <flow> <partner>
                                turn a partner disabled by a 410 back on and send what was parked for it
  launch <flow> --participants <file.csv> [--dry-run] [--yes] [--price-per-segment 0.0463] [--currency GBP]
                                check a participants file, show what would be sent and queue the invitations
                                (needs REDIS_URL; the running server sends them)
  status <flow> [--json]          how a flow's invitations and conversations stand (needs REDIS_URL)
  export <flow> [--format csv|json] [--since 2026-11-01]
                                a flow's stored responses on stdout: CSV for spreadsheets (default) or a JSON array
  publish <file>                validate a flow file and its texts (LOCALES_DIR) and make it the live version
                                on every server (needs REDIS_URL); conversations under way keep their version
  flows                         each flow's live version, earlier versions with their publish times, and keywords
  forget <address> [--channel sms|whatsapp|slack] [--json]
                                erase everything held about a person (a phone number or Slack member id;
                                needs REDIS_URL); partners that had their responses are sent an erasure notice

Settings come from the environment (FLOWS_DIR, LOCALES_DIR, PORT, ...): see README.md.`;

/** Errors whose message is all a person needs (a bad setting, a broken flow file): no stack. */
const SAID_PLAINLY: ReadonlySet<unknown> = new Set(['config_invalid', 'flow_invalid']);

async function settings(): Promise<Config> {
  const { loadConfig } = await import('../config.js');
  return loadConfig(process.env);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { stdout: out, stderr: err } = process;
  switch (command) {
    case 'serve': {
      const { serve } = await import('../server.js');
      await serve(process.env);
      return -1;
    }
    case 'validate': {
      const { validate } = await import('./validate.js');
      return validate(rest, await settings(), out, err);
    }
    case 'chat': {
      const { chatCommand } = await import('./chat.js');
      return chatCommand(rest, await settings(), { input: process.stdin, out, err });
    }
    case 'export': {
      const { exportCommand } = await import('./export.js');
      return exportCommand(rest, await settings(), out, err);
    }
    case 'invite-slack': {
      const { inviteSlack } = await import('./invite-slack.js');
      return inviteSlack(rest, process.env, out, err);
    }
    case 'deliveries':
    case 'replay':
    case 'partners': {
      const { deliveriesCommand } = await import('./deliveries.js');
      return deliveriesCommand(command, rest, process.env, out, err);
    }
    case 'launch': {
      const { launch } = await import('./launch.js');
      return launch(rest, process.env, out, err);
    }
    case 'status': {
      const { status } = await import('./status.js');
      return status(rest, process.env, out, err);
    }
    case 'lint': {
      const { lint } = await import('./lint.js');
      return lint(rest, await settings(), out, err);
    }
    case 'publish': {
      const { publish } = await import('./publish.js');
      return publish(rest, await settings(), out, err);
    }
    case 'forget': {
      const { forget } = await import('./forget.js');
      return forget(rest, await settings(), out, err);
    }
    case 'flows': {
      const { flows } = await import('./flows.js');
      return flows(await settings(), out, err);
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      out.write(`${USAGE}\n`);
      return command === undefined ? 1 : 0;
    default:
      err.write(`carevoice: unknown command '${command}'\n\n${USAGE}\n`);
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (SAID_PLAINLY.has((error as { code?: unknown } | undefined)?.code)) {
      process.stderr.write(`carevoice: ${(error as Error).message}\n`);
    } else {
      process.stderr.write(
        `carevoice: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
    }
    process.exitCode = 1;
  },
);
