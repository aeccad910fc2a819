import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Flow, Variant } from '../flow/flow.js';
import { startSession, step } from '../engine/step.js';
import type { Session, Translate } from '../engine/types.js';
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
