/** `2026-11-01`, or `2026-11-01T09:30`, `…:15`, `…:15.250` followed by `Z` or `+01:00`. */
const SINCE =
  /^(\d{4})-(\d{2})-(\d{2})(?:T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d{1,3})?)?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d))?$/;

export const SINCE_HELP =
  'write a date such as 2026-11-01 (from midnight UTC) or a date and time with its offset such as 2026-11-01T09:00Z or 2026-11-01T09:00+01:00';

/**
 * The start of an export window. A date alone means midnight UTC; a time must say its offset,
 * because a time without one would mean whatever zone the exporting machine is in.
 */
export function parseSince(text: string): Date | undefined {
  const match = SINCE.exec(text);
  if (match === null) return undefined;
  const [, year, month, day] = match.map(Number);
  const date = new Date(0);
  // setUTCFullYear (unlike Date.UTC) keeps years below 100; both roll 2026-02-30 into March,
  // so only a real date comes back unchanged.
  date.setUTCFullYear(year ?? 0, (month ?? 0) - 1, day ?? 0);
  if (date.toISOString().slice(0, 10) !== text.slice(0, 10)) return undefined;
  return match[4] === undefined ? date : new Date(text);
}
