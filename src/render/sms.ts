import type { Reply } from '../engine/types.js';

/**
 * A reply as the text of one SMS: choices as a numbered list, one per line, and the hint
 * on how to answer last. Yes/no and scale questions need no list: the hint says it.
 */
export function renderForSms(reply: Reply): string {
  if (reply.type === 'message') return reply.text;
  const lines = [reply.text];
  if (reply.ask === 'choice')
    reply.options.forEach((option, i) => lines.push(`${i + 1}. ${option.label}`));
  if (reply.hint !== undefined) lines.push(reply.hint);
  return lines.join('\n');
}
