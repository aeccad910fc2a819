import type { Flow } from '../flow/flow.js';
import { isQuestion, saveName } from '../flow/steps.js';
import type { ResponseRecord } from '../responses/record.js';

/** The record's own fields, first in every export, in this order. */
export const RECORD_COLUMNS = [
  'record_id',
  'respondent',
  'flow_version',
  'channel',
  'language',
  'variant',
  'role',
  'status',
  'started_at',
  'ended_at',
] as const;

/** Last in a CSV: the names of questions skipped (SKIP) or left unclear after two tries. */
export const OUTCOME_COLUMNS = ['skipped', 'unanswered'] as const;

const RESERVED_COLUMNS: ReadonlySet<string> = new Set([...RECORD_COLUMNS, ...OUTCOME_COLUMNS]);

/** What an export needs of a flow. */
export type ExportedFlow = Pick<Flow, 'id' | 'steps'>;

/**
 * One column per saved answer: the current flow's save names in the order its steps are
 * written, then names that only older versions of the flow saved, in the order first met.
 */
export interface ExportColumns {
  readonly answerNames: readonly string[];
}

/** The save names of a flow's questions, in the order the file lists its steps. */
export function flowAnswerNames(flow: ExportedFlow): string[] {
  const names = new Set<string>();
  for (const [id, step] of Object.entries(flow.steps)) {
    if (isQuestion(step)) names.add(saveName(id, step));
  }
  return [...names];
}

/** The flow's columns, with the names the records hold that the flow no longer saves appended. */
export function exportColumns(
  flow: ExportedFlow,
  recordedNames: Iterable<string> = [],
): ExportColumns {
  const names = new Set(flowAnswerNames(flow));
  for (const name of recordedNames) names.add(name);
  return { answerNames: [...names] };
}

export interface RecordedNames {
  /** Every answer name found, in the order first met. */
  readonly names: ReadonlySet<string>;
  /** How many records were read. */
  readonly count: number;
}

/** Reads the records once for their answer names; memory grows with the names, not the records. */
export async function scanAnswerNames(
  records: AsyncIterable<ResponseRecord>,
): Promise<RecordedNames> {
  const names = new Set<string>();
  let count = 0;
  for await (const record of records) {
    count++;
    for (const name of Object.keys(record.answers)) names.add(name);
  }
  return { names, count };
}

/**
 * The CSV header. An answer saved under the name of a record column (a flow may well save
 * `role`) is headed `role (answer)`: save names cannot hold a space, so no two headers clash.
 */
export function csvHeader(columns: ExportColumns): string[] {
  return [
    ...RECORD_COLUMNS,
    ...columns.answerNames.map((name) => (RESERVED_COLUMNS.has(name) ? `${name} (answer)` : name)),
    ...OUTCOME_COLUMNS,
  ];
}
