import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvHeader, exportColumns, flowAnswerNames } from '../src/export/columns.js';
import { writeResponses } from '../src/export/exporter.js';
import type { AnswerValue } from '../src/engine/types.js';
import type { ResponseRecord } from '../src/responses/record.js';
import {
  answered,
  byteSink,
  dayCentre,
  recordsOf,
  responseRecord,
} from './helpers/export-records.js';

const flow = dayCentre;
const columns = exportColumns(flow);
const header = csvHeader(columns);
const firstAnswerColumn = header.length - 3 - columns.answerNames.length;
/** Names no version of the flow saves, as an answer of a flow since deleted would have. */
const STRAY_NAMES = ['ward', 'constructor', 'other_answers'];

/**
 * What a spreadsheet runs as a formula, written out here rather than taken from the code under
 * test: `=`, `+`, `-`, `@`, tab, CR or NUL first, or `= + - @` after leading whitespace.
 */
const FORMULA_TRIGGER = /^(?:[\t\r\0]|\s*[=+\-@])/u;

/** Text as it comes back from UTF-8: a lone surrogate cannot be encoded and becomes U+FFFD. */
function wellFormed(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

/** Strings biased toward what breaks CSV files and spreadsheets, plus any text at all. */
const awkwardText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 15 }),
  fc
    .array(
      fc.constantFrom(
        '=',
        '+',
        '-',
        '@',
        '\t',
        '\r',
        '\n',
        '\r\n',
        '\0',
        ' ',
        '  ',
        '\u00a0',
        '\u3000',
        '"',
        "'",
        ',',
        ';',
        "=cmd|' /C calc'!A0",
        'SUM(A1:A9)',
        'Tak, dwa',
        'Ie',
        'é',
        '😀',
        '👩🏽‍🦳',
        '1',
      ),
      { maxLength: 8 },
    )
    .map((parts) => parts.join('')),
);

const numberAnswer = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  // JSON has no -0 (it reads back as 0), and no stored answer is -0.
  fc
    .double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 })
    .filter((n) => !Object.is(n, -0)),
);

/** Any answers under the flow's names and stray ones: text, numbers, lists of text (multiple choice). */
const answers = fc.dictionary(
  fc.constantFrom(...flowAnswerNames(flow), ...STRAY_NAMES),
  fc.oneof(awkwardText, numberAnswer, fc.array(awkwardText, { minLength: 1, maxLength: 3 })),
);

const records = fc
  .array(fc.record({ id: awkwardText, respondent: awkwardText, role: awkwardText, answers }), {
    maxLength: 5,
  })
  .map((rows) =>
    rows.map((row): ResponseRecord =>
      responseRecord({
        id: row.id,
        respondent: row.respondent,
        role: row.role,
        answers: Object.fromEntries(
          Object.entries(row.answers).map(([name, value]) => [name, answered(value)]),
        ),
      }),
    ),
  );

/** A record's answered questions that have no column, by name, in the record's order. */
function strayAnswers(record: ResponseRecord): Record<string, AnswerValue> {
  return Object.fromEntries(
    Object.entries(record.answers).flatMap(([name, answer]) =>
      columns.answerNames.includes(name) || answer.status !== 'answered'
        ? []
        : [[name, answer.value]],
    ),
  );
}

/** The text a cell stands for: numbers as written, multiple choices joined. */
function expectedCell(value: AnswerValue | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' ? value : value.join('; ');
}

async function csvOf(list: ResponseRecord[]): Promise<Buffer> {
  const sink = byteSink();
  await writeResponses(recordsOf(list), sink.stream, { format: 'csv', columns });
  return sink.bytes();
}

/** RFC 4180 and nothing looser: a stray quote, a short row or a bare line end is an error. */
function parseStrictly(bytes: Buffer): string[][] {
  return parse(bytes, {
    bom: true,
    delimiter: ',',
    quote: '"',
    escape: '"',
    record_delimiter: '\r\n',
    relax_quotes: false,
    relax_column_count: false,
    skip_empty_lines: false,
    skip_records_with_empty_values: false,
    trim: false,
  });
}

describe('CSV export of arbitrary answers', () => {
  it('round-trips through a strict CSV parser, and no cell starts like a formula', async () => {
    await fc.assert(
      fc.asyncProperty(records, async (list) => {
        const bytes = await csvOf(list);
        expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
        const [head, ...rows] = parseStrictly(bytes);
        expect(head).toEqual(header);
        expect(rows).toHaveLength(list.length);
        rows.forEach((cells, index) => {
          const record = list[index] as ResponseRecord;
          const valueOf = (name: string): AnswerValue | undefined => {
            const answer = Object.hasOwn(record.answers, name) ? record.answers[name] : undefined;
            return answer?.status === 'answered' ? answer.value : undefined;
          };
          cells.forEach((cell, column) => {
            const name = columns.answerNames[column - firstAnswerColumn];
            // A number the engine recorded (e.g. -2 on a scale) is no formula: it stays a number.
            if (name === undefined || typeof valueOf(name) !== 'number')
              expect(cell).not.toMatch(FORMULA_TRIGGER);
          });
          const originals = [
            [cells[0], record.id],
            [cells[1], record.respondent],
            [cells[6], record.role ?? ''],
            ...columns.answerNames.map((name, offset) => [
              cells[firstAnswerColumn + offset],
              expectedCell(valueOf(name)),
            ]),
          ];
          for (const [cell, text] of originals) {
            const original = wellFormed(text ?? '');
            if (cell === original) continue;
            // Changed only by the one quote mark, and only where the text starts like a formula.
            expect(cell).toBe(`'${original}`);
            expect(original).toMatch(FORMULA_TRIGGER);
          }
          // Nothing is dropped: answers without a column come back whole from other_answers.
          const others = cells.at(-1) ?? '';
          const stray = strayAnswers(record);
          if (Object.keys(stray).length === 0) expect(others).toBe('');
          else expect(JSON.parse(others)).toEqual(stray);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('keeps every answer exactly in the JSON export', async () => {
    await fc.assert(
      fc.asyncProperty(records, async (list) => {
        const sink = byteSink();
        await writeResponses(recordsOf(list), sink.stream, { format: 'json', columns });
        const rows = JSON.parse(sink.text()) as { answers: Record<string, AnswerValue> }[];
        expect(rows.map((row) => row.answers)).toEqual(
          list.map((record) => ({
            ...Object.fromEntries(
              columns.answerNames.flatMap((name) => {
                const answer = Object.hasOwn(record.answers, name)
                  ? record.answers[name]
                  : undefined;
                return answer?.status === 'answered' ? [[name, answer.value]] : [];
              }),
            ),
            ...strayAnswers(record),
          })),
        );
      }),
      { numRuns: 200 },
    );
  });
});
