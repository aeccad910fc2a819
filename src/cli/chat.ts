import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import type { Flow, Variant } from '../flow/flow.js';
import { loadContent } from '../flow/content.js';
import { startSession, step } from '../engine/step.js';
import type { Session, Translate } from '../engine/types.js';
import { createTranslate } from '../i18n/translate.js';
import { formatInput, formatOutcome, formatReply } from './transcript.js';

export interface ChatOptions {
  readonly flow: Flow;
  readonly translate: Translate;
  readonly language: string | undefined;
  readonly variant: Variant;
  readonly role: string | undefined;
  readonly input: Readable;
  readonly output: Writable;
  /** Echo each input line, so a piped script reads as a transcript. */
  readonly echo: boolean;
  readonly clock: () => Date;
}

/** Talks to a flow in the terminal, one line per message, through the same engine the server runs. */
export async function chat(options: ChatOptions): Promise<Session> {
  const { flow, output } = options;
  const ctx = (): { now: Date; translate: Translate } => ({
    now: options.clock(),
    translate: options.translate,
  });
  const write = (text: string): void => {
    output.write(`${text}\n`);
  };
  let result = startSession(
    flow,
    { language: options.language, variant: options.variant, role: options.role },
    ctx(),
  );
  result.replies.forEach((reply) => write(formatReply(reply)));
  const lines = createInterface({ input: options.input, terminal: false });
  for await (const line of lines) {
    if (result.session.status !== 'active') break;
    if (options.echo) write(formatInput(line));
    result = step(flow, result.session, { type: 'text', text: line }, ctx());
    result.replies.forEach((reply) => write(formatReply(reply)));
  }
  lines.close();
  write(formatOutcome(result.session));
  return result.session;
}

/** `carevoice chat <flow> [--lang cy] [--variant plain] [--role carer]`, on this terminal or pipe. */
export async function chatCommand(
  args: readonly string[],
  config: Pick<Config, 'flowsDir' | 'localesDir'>,
  io: {
    readonly input: Readable & { readonly isTTY?: boolean };
    readonly out: Writable;
    readonly err: Writable;
  },
): Promise<number> {
  const refuse = (message: string): number => {
    io.err.write(`carevoice: ${message}\n`);
    return 1;
  };
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { lang: { type: 'string' }, variant: { type: 'string' }, role: { type: 'string' } },
  });
  const flowId = positionals[0];
  if (flowId === undefined)
    return refuse('chat needs a flow id, e.g. carevoice chat day-centre-weekends');
  if (values.variant !== undefined && values.variant !== 'plain' && values.variant !== 'standard')
    return refuse(`--variant takes plain or standard, not '${values.variant}'`);
  const { flows, catalog } = loadContent(config);
  const flow = flows.get(flowId);
  if (flow === undefined)
    return refuse(
      `no flow '${flowId}' in ${config.flowsDir}; flows: ${flows
        .list()
        .map((f) => f.id)
        .join(', ')}`,
    );
  if (values.lang !== undefined && !flow.languages.includes(values.lang))
    return refuse(`flow '${flowId}' is in ${flow.languages.join(', ')}, not '${values.lang}'`);
  if (values.role !== undefined && !flow.roles.includes(values.role))
    return refuse(
      `flow '${flowId}' has roles ${flow.roles.join(', ') || '(none)'}, not '${values.role}'`,
    );
  await chat({
    flow,
    translate: createTranslate(catalog, (namespace) => flows.get(namespace)?.languages[0] ?? 'en'),
    language: values.lang,
    variant: values.variant === 'plain' ? 'plain' : 'standard',
    role: values.role,
    input: io.input,
    output: io.out,
    echo: io.input.isTTY !== true,
    clock: () => new Date(),
  });
  return 0;
}
