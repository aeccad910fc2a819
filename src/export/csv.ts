/**
 * RFC 4180 CSV for people who open exports in a spreadsheet: fields quoted when they hold a
 * comma, quote or line break, lines ended with CRLF, and text that a spreadsheet would run as a
 * formula neutralised first.
 */

/** Written once at the start of a CSV file, so spreadsheets read it as UTF-8. */
export const UTF8_BOM = '\uFEFF';

export const CSV_LINE_END = '\r\n';

/**
 * Text a spreadsheet would take as a formula (CWE-1236): one starting with `=`, `+`, `-`, `@`,
 * tab, carriage return or NUL, and also one where `=`, `+`, `-` or `@` follows leading
 * whitespace (spreadsheets skip it before deciding). Quoting a field does not stop this.
 */
const FORMULA_START = /^(?:[\t\r\0]|\s*[=+\-@])/u;

export function startsLikeFormula(text: string): boolean {
  return FORMULA_START.test(text);
}

/**
 * The text a spreadsheet shows as text: a leading `'` (the OWASP advice) when it would
 * otherwise run as a formula. Everything after the `'` is the original, unchanged.
 */
export function neutraliseFormula(text: string): string {
  return startsLikeFormula(text) ? `'${text}` : text;
}

const NEEDS_QUOTES = /[",\r\n]/;

/** One field as written: quoted, with quotes doubled, when it holds a separator or quote. */
export function csvField(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Already-neutralised cells as one CSV line, line end included. */
export function csvLine(cells: readonly string[]): string {
  return cells.map(csvField).join(',') + CSV_LINE_END;
}
