import { gsmSeptets } from './gsm.js';

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SegmentCount {
  readonly encoding: SmsEncoding;
  /** Septets for GSM-7 (an extension character is two), UTF-16 code units for UCS-2. */
  readonly units: number;
  /** Segments billed; a long message is sent as several, joined again by the phone. */
  readonly segments: number;
  /** Unicode code points, i.e. what a person would call characters (an emoji is one). */
  readonly characters: number;
}

/**
 * Units one segment carries. A concatenated message loses room in every segment to the
 * header that tells the phone how to join them (6 octets: 7 septets or 3 UCS-2 units).
 */
export const SEGMENT_CAPACITY: Readonly<
  Record<SmsEncoding, { readonly single: number; readonly concatenated: number }>
> = {
  'GSM-7': { single: 160, concatenated: 153 },
  'UCS-2': { single: 70, concatenated: 67 },
};

/**
 * How a text would travel as SMS: its encoding and how many segments it is billed as.
 *
 * A character never straddles two segments: an extension character's escape and septet stay
 * together, as do the two halves of a surrogate pair (an emoji), so a segment may carry one
 * unit less than its capacity. The empty text counts as one segment, as Twilio bills it.
 */
export function countSegments(text: string): SegmentCount {
  const characters = [...text];
  const septets = characters.map(gsmSeptets);
  const gsm = septets.every((cost) => cost !== undefined);
  const encoding: SmsEncoding = gsm ? 'GSM-7' : 'UCS-2';
  // GSM-7 costs come from the table; a UCS-2 character costs its UTF-16 length (2 for an emoji).
  const costs = gsm ? (septets as number[]) : characters.map((char) => char.length);
  const units = costs.reduce((sum, cost) => sum + cost, 0);
  return {
    encoding,
    units,
    segments: segmentsFor(costs, units, SEGMENT_CAPACITY[encoding]),
    characters: characters.length,
  };
}

function segmentsFor(
  costs: readonly number[],
  units: number,
  capacity: { readonly single: number; readonly concatenated: number },
): number {
  if (units <= capacity.single) return 1;
  let segments = 1;
  let used = 0;
  for (const cost of costs) {
    if (used + cost > capacity.concatenated) {
      segments++;
      used = 0;
    }
    used += cost;
  }
  return segments;
}
