import type { Reply } from '../engine/types.js';
import { toGsmFriendly } from './gsm.js';

/**
 * A reply as the text of one SMS: choices as a numbered list, one per line, and the hint
 * on how to answer last. Yes/no and scale questions need no list: the hint says it.
 * Curly quotes, long dashes and the like become their GSM-7 stand-ins, so a stray one in a
 * translation does not send the whole message as the dearer UCS-2.
 */
export function renderForSms(reply: Reply): string {
  if (reply.type === 'message') return toGsmFriendly(reply.text);
  const lines = [reply.text];
  if (reply.ask === 'choice')
    reply.options.forEach((option, i) => lines.push(`${i + 1}. ${option.label}`));
  if (reply.hint !== undefined) lines.push(reply.hint);
  return toGsmFriendly(lines.join('\n'));
}
