#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { FlowValidationError } from '../flow/problems.js';
import { chat } from './chat.js';
import { validate } from './validate.js';
import { lint } from './lint.js';
import { exportCommand, EXPORT_USAGE } from './export.js';
import { inviteSlack, INVITE_SLACK_USAGE } from './invite-slack.js';
import { deliveriesCommand, DELIVERIES_USAGE } from './deliveries.js';
import { launch, LAUNCH_USAGE } from './launch.js';
import { status, STATUS_USAGE } from './status.js';
import { publish, PUBLISH_USAGE } from './publish.js';
import { flows as listFlows, FLOWS_USAGE } from './flows.js';
import { forget, FORGET_USAGE } from './forget.js';
import { loadContent } from '../flow/content.js';
import { createTranslate } from '../i18n/translate.js';

const USAGE = `Usage: carevoice <command> [options]

Commands:
  serve                         run the webhook server (and the /chat try-out page)
  validate [files...]           check flow files (default: every file in FLOWS_DIR); exit 1 on any problem
  chat <flow> [--lang cy] [--variant plain] [--role carer]
                                talk to a flow in the terminal, one line per message (works from a pipe)
  lint [files...] [--json] [--respondents 1000] [--price-per-segment 0.0463] [--currency GBP]
                                every SMS a flow can send: encoding, segments, the longest run and its cost
${INVITE_SLACK_USAGE}
${DELIVERIES_USAGE}
${LAUNCH_USAGE}
${STATUS_USAGE}
${PUBLISH_USAGE}
${FLOWS_USAGE}
${FORGET_USAGE}
${EXPORT_USAGE}

Settings come from the environment (FLOWS_DIR, LOCALES_DIR, PORT, ...): see README.md.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve': {
      const { serve } = await import('../server.js');
      await serve(process.env);
      return -1;
    }
    case 'validate': {
      const config = loadConfig(process.env);
      return validate(rest, config, process.stdout, process.stderr);
    }
    case 'chat':
      return chatCommand(rest);
    case 'export':
      return exportCommand(rest, loadConfig(process.env), process.stdout, process.stderr);
    case 'invite-slack':
      return inviteSlack(rest, process.env, process.stdout, process.stderr);
    case 'deliveries':
    case 'replay':
    case 'partners':
      return deliveriesCommand(command, rest, process.env, process.stdout, process.stderr);
    case 'launch':
      return launch(rest, process.env, process.stdout, process.stderr);
    case 'status':
      return status(rest, process.env, process.stdout, process.stderr);
    case 'lint': {
      const config = loadConfig(process.env);
      return lint(rest, config, process.stdout, process.stderr);
    }
    case 'publish':
      return publish(rest, loadConfig(process.env), process.stdout, process.stderr);
    case 'forget':
      return forget(rest, loadConfig(process.env), process.stdout, process.stderr);
    case 'flows':
      return listFlows(loadConfig(process.env), process.stdout, process.stderr);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 1 : 0;
    default:
      process.stderr.write(`carevoice: unknown command '${command}'\n\n${USAGE}\n`);
      return 1;
  }
}

async function chatCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { lang: { type: 'string' }, variant: { type: 'string' }, role: { type: 'string' } },
  });
  const flowId = positionals[0];
  if (flowId === undefined)
    throw new UsageError('chat needs a flow id, e.g. carevoice chat day-centre-weekends');
  if (values.variant !== undefined && values.variant !== 'plain' && values.variant !== 'standard') {
    throw new UsageError(`--variant takes plain or standard, not '${values.variant}'`);
  }
  const config = loadConfig(process.env);
  const { flows, catalog } = loadContent(config);
  const flow = flows.get(flowId);
  if (flow === undefined)
    throw new UsageError(
      `no flow '${flowId}' in ${config.flowsDir}; flows: ${flows
        .list()
        .map((f) => f.id)
        .join(', ')}`,
    );
  if (values.lang !== undefined && !flow.languages.includes(values.lang)) {
    throw new UsageError(
      `flow '${flowId}' is in ${flow.languages.join(', ')}, not '${values.lang}'`,
    );
  }
  if (values.role !== undefined && !flow.roles.includes(values.role)) {
    throw new UsageError(
      `flow '${flowId}' has roles ${flow.roles.join(', ') || '(none)'}, not '${values.role}'`,
    );
  }
  await chat({
    flow,
    translate: createTranslate(catalog, (namespace) => flows.get(namespace)?.languages[0] ?? 'en'),
    language: values.lang,
    variant: values.variant === 'plain' ? 'plain' : 'standard',
    role: values.role,
    input: process.stdin,
    output: process.stdout,
    echo: !process.stdin.isTTY,
    clock: () => new Date(),
  });
  return 0;
}

class UsageError extends Error {}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (
      error instanceof ConfigError ||
      error instanceof FlowValidationError ||
      error instanceof UsageError
    ) {
      process.stderr.write(`carevoice: ${error.message}\n`);
    } else {
      process.stderr.write(
        `carevoice: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
    }
    process.exitCode = 1;
  },
);
