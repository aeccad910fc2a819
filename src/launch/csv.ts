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
const NEWLINE_BYTE = 0x0a;
/** Bytes of a file decoded at a time (then up to the line break before it). */
const PIECE_BYTES = 64 * 1024;

/** A CSV file as read: text, or its UTF-8 bytes (kept outside the JavaScript heap). */
export type CsvText = string | Buffer;

/**
 * Reads CSV as RFC 4180 writes it: fields separated by commas, records by CRLF or LF, a field
 * in double quotes may hold commas, line breaks and doubled quotes. A byte-order mark at the
 * start is dropped (spreadsheets add one). Blank lines are skipped. Strict where leniency
 * would guess: a quote inside an unquoted field, text after a closing quote or an unclosed
 * quote is an error with its line, never a silently different value. Records are given one at
 * a time as they are read, and bytes are decoded a piece at a time, so a long file is never
 * held as a list of records or as one long string.
 */
export function* readCsvRecords(text: CsvText, pieceBytes = PIECE_BYTES): Generator<CsvRecord> {
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let quoted = false;
  let afterQuote = false;
  let start = true;
  const endField = (): void => {
    fields.push(field);
    field = '';
    quoted = false;
    afterQuote = false;
  };
  /** The record just ended, unless it was a blank line. */
  const endRecord = (): CsvRecord | undefined => {
    endField();
    const record = fields.length > 1 || fields[0] !== '' ? { line: recordLine, fields } : undefined;
    fields = [];
    return record;
  };
  // Each piece ends with a line break (but the last): looking one character ahead (`""`, CRLF)
  // never reaches into the next piece.
  for (const piece of piecesOf(text, pieceBytes)) {
    let i = start && piece.startsWith('\uFEFF') ? 1 : 0;
    start = false;
    while (i < piece.length) {
      const char = piece[i] as string;
      if (quoted) {
        if (char === QUOTE && piece[i + 1] === QUOTE) {
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
      } else if (char === '\n' || (char === '\r' && piece[i + 1] === '\n')) {
        const record = endRecord();
        if (record !== undefined) yield record;
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
  }
  if (quoted) throw new CsvSyntaxError(recordLine, 'a quoted field is never closed');
  if (field !== '' || fields.length > 0 || afterQuote) {
    const record = endRecord();
    if (record !== undefined) yield record;
  }
}

/**
 * The text in pieces that each end just after a line break, the last one excepted. A line
 * break byte never occurs inside a multi-byte UTF-8 character, so no character is cut.
 */
function* piecesOf(text: CsvText, pieceBytes: number): Generator<string> {
  if (typeof text === 'string') {
    yield text;
    return;
  }
  for (let from = 0; from < text.length;) {
    let to = Math.min(from + pieceBytes, text.length);
    if (to < text.length) {
      const before = text.lastIndexOf(NEWLINE_BYTE, to - 1);
      const after = text.indexOf(NEWLINE_BYTE, to);
      to = before >= from ? before + 1 : after === -1 ? text.length : after + 1;
    }
    yield text.toString('utf8', from, to);
    from = to;
  }
}
