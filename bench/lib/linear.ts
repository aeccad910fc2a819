import { row, type Row } from './table.js';

/**
 * Costs that must grow no faster than the work. The rows are in the table (and the JSON) from
 * the start, so runs before and after they are measured line up; until then each says so.
 */
export function linearCostRows(): Row[] {
  const waiting = (figure: string, unit: string, of: string): Row =>
    row(figure, undefined, unit, { note: `not measured yet (${of})` });
  return [
    waiting('export 100,000 responses: rows/s', 'rows/s', 'src/export'),
    waiting('export 100,000 responses: peak RSS', 'MiB', 'src/export'),
    waiting('export 1,000,000 responses: rows/s', 'rows/s', 'src/export'),
    waiting('export 1,000,000 responses: peak RSS', 'MiB', 'src/export'),
    waiting('status counts, flow with 100,000 sessions', 'ms', 'src/store/flow-stats.ts'),
    waiting('queue 100,000 launch invitations', 'invitations/s', 'src/launch'),
  ];
}
