import { nonGsmCharacters } from '../../render/gsm.js';
import { countSegments, type SegmentCount } from '../../render/sms-segments.js';
import type { SentText } from './messages.js';

/** Segments above which a message is flagged: a third text in a row reads as a wall. */
export const MAX_COMFORTABLE_SEGMENTS = 2;

/**
 * Languages whose everyday letters all fit GSM-7: a UCS-2 message in one of them is a slip
 * (an emoji, an odd symbol), not a need. Welsh (ŵ ŷ â) and Polish (ą ł ż) are not here.
 */
const GSM_ALPHABET_LANGUAGES: ReadonlySet<string> = new Set(['en', 'da', 'de', 'nb', 'nn', 'sv']);

export type MessageWarning =
  | { readonly code: 'over_two_segments'; readonly message: string }
  | { readonly code: 'ucs2_in_gsm_language'; readonly message: string };

export interface MessageLint extends SegmentCount {
  readonly id: string;
  readonly text: string;
  /** The characters that made the message UCS-2 (empty for GSM-7). */
  readonly forcedBy: readonly string[];
  readonly warnings: readonly MessageWarning[];
}

/** One text's encoding and segments, and what is worth a warning about them. */
export function lintMessage(sent: SentText, language: string): MessageLint {
  const count = countSegments(sent.text);
  const forcedBy = count.encoding === 'UCS-2' ? nonGsmCharacters(sent.text) : [];
  const warnings: MessageWarning[] = [];
  if (count.segments > MAX_COMFORTABLE_SEGMENTS)
    warnings.push({
      code: 'over_two_segments',
      message: `${count.segments} segments; keep a message to ${MAX_COMFORTABLE_SEGMENTS}`,
    });
  if (count.encoding === 'UCS-2' && GSM_ALPHABET_LANGUAGES.has(language))
    warnings.push({
      code: 'ucs2_in_gsm_language',
      message: `UCS-2 in ${language}, forced by ${forcedBy.map(describeCharacter).join(', ')}`,
    });
  return { id: sent.id, text: sent.text, ...count, forcedBy, warnings };
}

function describeCharacter(char: string): string {
  const code = (char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
  return /\p{L}|\p{N}|\p{P}|\p{S}/u.test(char) ? `'${char}' (U+${code})` : `U+${code}`;
}
