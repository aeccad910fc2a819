import { row, type Row } from './table.js';

/**
 * Costs that must grow no faster than the work. Each row is measured once the module it
 * needs exists; until then it says what it waits for.
 */
export function linearCostRows(): Row[] {
  const waiting = (figure: string, unit: string, needs: string): Row =>
    row(figure, undefined, unit, { note: `not measured yet (needs ${needs})` });
  return [
    waiting('export 100,000 responses: rows/s', 'rows/s', 'carevoice export'),
    waiting('export 100,000 responses: peak RSS', 'MiB', 'carevoice export'),
    waiting('export 1,000,000 responses: rows/s', 'rows/s', 'carevoice export'),
    waiting('export 1,000,000 responses: peak RSS', 'MiB', 'carevoice export'),
    waiting('status counts, flow with 100,000 sessions', 'ms', 'counts kept by the commit'),
    waiting('queue 100,000 launch invitations', 'invitations/s', 'carevoice launch'),
  ];
}
