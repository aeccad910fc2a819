import type { Flow } from '../flow/flow.js';
import { isQuestion, saveName } from '../flow/steps.js';

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

/**
 * Last in a CSV: the names of questions skipped (SKIP) or left unclear after two tries, then
 * `other_answers`, the answers saved under a name no known version of the flow saves (JSON
 * text of name → value), so that nothing a record holds is left out.
 */
export const OUTCOME_COLUMNS = ['skipped', 'unanswered', 'other_answers'] as const;

const RESERVED_COLUMNS: ReadonlySet<string> = new Set([...RECORD_COLUMNS, ...OUTCOME_COLUMNS]);

/** What an export needs of a flow. */
export type ExportedFlow = Pick<Flow, 'id' | 'steps'>;

/**
 * One column per answer name the flow's definitions save: the live version's in the order its
 * steps are written, then names that only other versions saved, in the order the versions are
 * given. Known before any record is read, so a CSV is written in one pass.
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

/** The live version's columns, then those only `versions` (every version known) save. */
export function exportColumns(
  live: ExportedFlow,
  versions: readonly ExportedFlow[] = [],
): ExportColumns {
  const names = new Set(flowAnswerNames(live));
  for (const version of versions) for (const name of flowAnswerNames(version)) names.add(name);
  return { answerNames: [...names] };
}

/**
 * The CSV header. An answer saved under the name of a record or outcome column (a flow may well
 * save `role`) is headed `role (answer)`: save names cannot hold a space, so no two headers clash.
 */
export function csvHeader(columns: ExportColumns): string[] {
  return [
    ...RECORD_COLUMNS,
    ...columns.answerNames.map((name) => (RESERVED_COLUMNS.has(name) ? `${name} (answer)` : name)),
    ...OUTCOME_COLUMNS,
  ];
}
