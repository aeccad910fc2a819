/** One record of a CSV file and the line it starts on (1-based, as an editor shows it). */
export interface CsvRecord {
  readonly line: number;
  readonly fields: readonly string[];
}

/** The file cannot be read as CSV at all; `line` is where the trouble starts. */
export class CsvSyntaxError extends Error {
  readonly code = 'csv_invalid';
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'CsvSyntaxError';
  }
}

const QUOTE = '"';

/**
 * Reads CSV as RFC 4180 writes it: fields separated by commas, records by CRLF or LF, a field
 * in double quotes may hold commas, line breaks and doubled quotes. A byte-order mark at the
 * start is dropped (spreadsheets add one). Blank lines are skipped. Strict where leniency
 * would guess: a quote inside an unquoted field, text after a closing quote or an unclosed
 * quote is an error with its line, never a silently different value.
 */
export function parseCsv(text: string): CsvRecord[] {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let quoted = false;
  let afterQuote = false;
  let i = 0;
  const endField = (): void => {
    fields.push(field);
    field = '';
    quoted = false;
    afterQuote = false;
  };
  const endRecord = (): void => {
    endField();
    if (fields.length > 1 || fields[0] !== '') records.push({ line: recordLine, fields });
    fields = [];
  };
  while (i < source.length) {
    const char = source[i] as string;
    if (quoted) {
      if (char === QUOTE && source[i + 1] === QUOTE) {
        field += QUOTE;
        i += 2;
        continue;
      }
      if (char === QUOTE) {
        quoted = false;
        afterQuote = true;
      } else {
        if (char === '\n') line++;
        field += char;
      }
      i++;
      continue;
    }
    if (char === ',') {
      endField();
    } else if (char === '\n' || (char === '\r' && source[i + 1] === '\n')) {
      endRecord();
      i += char === '\r' ? 1 : 0;
      line++;
      recordLine = line;
    } else if (afterQuote) {
      throw new CsvSyntaxError(line, 'text after a closing quote; quote the whole field');
    } else if (char === QUOTE) {
      if (field !== '')
        throw new CsvSyntaxError(
          line,
          'a quote inside an unquoted field; quote the field and double the quote ("")',
        );
      quoted = true;
    } else {
      field += char;
    }
    i++;
  }
  if (quoted) throw new CsvSyntaxError(recordLine, 'a quoted field is never closed');
  if (field !== '' || fields.length > 0 || afterQuote) endRecord();
  return records;
}
