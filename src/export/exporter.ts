import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ResponseRecord } from '../responses/record.js';
import { csvHeader, type ExportColumns } from './columns.js';
import { csvLine, neutraliseFormula, UTF8_BOM } from './csv.js';
import { ResponseRows } from './response-rows.js';

export type ExportFormat = 'csv' | 'json';

export const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'json'];

export const EXPORT_CONTENT_TYPES: Readonly<Record<ExportFormat, string>> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json',
};

export interface ExportLayout {
  readonly format: ExportFormat;
  readonly columns: ExportColumns;
}

/** Characters gathered before each write: few large writes, and memory bounded by this. */
const CHUNK_CHARS = 64 * 1024;

/**
 * Streams records to `output` as a CSV file (BOM, header, CRLF lines) or a JSON array, ends
 * it, and resolves with the number of records written. Each write waits for `output` to
 * drain, so memory stays flat however many records there are. If `output` closes early (a
 * download cancelled), the records stop being read and the promise rejects. If reading a
 * record fails, the promise rejects too and `output` is destroyed, so a file cut short never
 * looks complete.
 */
export async function writeResponses(
  records: AsyncIterable<ResponseRecord>,
  output: Writable,
  layout: ExportLayout,
): Promise<number> {
  const written = { records: 0 };
  await pipeline(chunks(records, layout, written), output);
  return written.records;
}

async function* chunks(
  records: AsyncIterable<ResponseRecord>,
  { format, columns }: ExportLayout,
  written: { records: number },
): AsyncGenerator<string> {
  const rows = new ResponseRows(columns);
  const csv = format === 'csv';
  let chunk = csv ? UTF8_BOM + csvLine(csvHeader(columns).map(neutraliseFormula)) : '[';
  for await (const record of records) {
    if (csv) chunk += csvLine(rows.csvCells(record));
    else chunk += `${written.records === 0 ? '' : ','}\n${JSON.stringify(rows.jsonRow(record))}`;
    written.records++;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  yield csv ? chunk : `${chunk}\n]\n`;
}
