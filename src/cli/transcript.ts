import type { Answer, Reply, Session } from '../engine/types.js';
import { renderForSms } from '../render/sms.js';

/**
 * The readable form of a conversation, shared by `carevoice chat` and the golden transcript
 * tests: `< ` starts each message sent, `> ` each reply received, `= ` the outcome.
 */
export function formatReply(reply: Reply): string {
  const [first = '', ...rest] = renderForSms(reply).split('\n');
  return [`< ${first}`, ...rest.map((line) => `  ${line}`)].join('\n');
}

export function formatInput(text: string): string {
  return `> ${text}`;
}

export function formatOutcome(session: Session): string {
  const lines = [`= status: ${session.status}`];
  for (const [name, answer] of Object.entries(session.answers))
    lines.push(`= ${name}: ${formatAnswer(answer)}`);
  return lines.join('\n');
}

function formatAnswer(answer: Answer): string {
  if (answer.status !== 'answered') return `(${answer.status})`;
  const value = answer.value;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  return `[${value.join(', ')}]`;
}
