import type { Answer, AnswerValue } from '../engine/types.js';
import type { ResponseRecord } from '../responses/record.js';
import type { ExportColumns } from './columns.js';
import { neutraliseFormula } from './csv.js';

/** Between the options of a multiple-choice answer in a CSV cell. */
export const CHOICE_SEPARATOR = '; ';

/** A record in a JSON export: answers keep their types (numbers, lists of option keys). */
export interface ResponseRow {
  readonly record_id: string;
  readonly respondent: string;
  readonly flow_version: string;
  readonly channel: string;
  readonly language: string;
  readonly variant: string;
  readonly role: string | null;
  readonly status: string;
  readonly started_at: string;
  readonly ended_at: string;
  /** Answered questions only, by save name, in column order. */
  readonly answers: Readonly<Record<string, AnswerValue>>;
  readonly skipped: readonly string[];
  readonly unanswered: readonly string[];
}

/**
 * Turns records into CSV cells or JSON rows for one set of columns. An answer under a name that
 * has no column (no known version of the flow saves it) is never dropped: a CSV row carries it
 * in `other_answers`, a JSON row after the others.
 */
export class ResponseRows {
  private readonly known: ReadonlySet<string>;

  constructor(private readonly columns: ExportColumns) {
    this.known = new Set(columns.answerNames);
  }

  /**
   * Cells for `csvHeader(columns)`, every one neutralised against formulas, except numbers
   * the engine recorded (a scale or number answer): `-2` stays a number in a spreadsheet.
   */
  csvCells(record: ResponseRecord): string[] {
    const cells = [
      record.id,
      record.respondent,
      record.flowVersion,
      record.channel,
      record.language,
      record.variant,
      record.role ?? '',
      record.status,
      record.startedAt,
      record.endedAt,
    ].map(neutraliseFormula);
    const skipped: string[] = [];
    const unanswered: string[] = [];
    for (const name of this.columns.answerNames) {
      const answer = answerOf(record, name);
      cells.push(answer?.status === 'answered' ? csvValue(answer.value) : '');
      if (answer?.status === 'skipped') skipped.push(name);
      if (answer?.status === 'unanswered') unanswered.push(name);
    }
    const others: [string, AnswerValue][] = [];
    for (const [name, answer] of Object.entries(record.answers)) {
      if (this.known.has(name)) continue;
      if (answer.status === 'answered') others.push([name, answer.value]);
      if (answer.status === 'skipped') skipped.push(name);
      if (answer.status === 'unanswered') unanswered.push(name);
    }
    cells.push(
      skipped.join(CHOICE_SEPARATOR),
      unanswered.join(CHOICE_SEPARATOR),
      // Defined, not assigned: a name read from storage can never reach a prototype.
      others.length === 0 ? '' : neutraliseFormula(JSON.stringify(Object.fromEntries(others))),
    );
    return cells;
  }

  jsonRow(record: ResponseRecord): ResponseRow {
    const answers: [string, AnswerValue][] = [];
    const skipped: string[] = [];
    const unanswered: string[] = [];
    const others = Object.keys(record.answers).filter((name) => !this.known.has(name));
    for (const name of [...this.columns.answerNames, ...others]) {
      const answer = answerOf(record, name);
      if (answer?.status === 'answered') answers.push([name, answer.value]);
      if (answer?.status === 'skipped') skipped.push(name);
      if (answer?.status === 'unanswered') unanswered.push(name);
    }
    return {
      record_id: record.id,
      respondent: record.respondent,
      flow_version: record.flowVersion,
      channel: record.channel,
      language: record.language,
      variant: record.variant,
      role: record.role,
      status: record.status,
      started_at: record.startedAt,
      ended_at: record.endedAt,
      // Defined, not assigned: a name read from storage can never reach a prototype.
      answers: Object.fromEntries(answers),
      skipped,
      unanswered,
    };
  }
}

/** Own keys only: a flow may save under a name such as `constructor`. */
function answerOf(record: ResponseRecord, name: string): Answer | undefined {
  return Object.hasOwn(record.answers, name) ? record.answers[name] : undefined;
}

function csvValue(value: AnswerValue): string {
  if (typeof value === 'number') return String(value);
  return neutraliseFormula(typeof value === 'string' ? value : value.join(CHOICE_SEPARATOR));
}
