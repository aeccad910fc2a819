import type { Flow } from './flow.js';
import { listFlowFiles } from './load.js';
import type { FlowProblem } from './problems.js';

/** What reading one flow file gives: the flow (with whatever the reader adds) or its problems. */
export type FlowFileRead<Read extends { readonly ok: true; readonly flow: Flow }> =
  Read | { readonly ok: false; readonly problems: readonly FlowProblem[] };

/**
 * Reads every flow file of a folder, in name order, and hands each one that reads cleanly to
 * `take`, unless an earlier file has the same flow id: two files never fight over one id, the
 * later one is a problem. One broken file does not hide the others' problems; the problems
 * come back in file order, with those `take` returns among them.
 */
export function readFlowFolder<Read extends { readonly ok: true; readonly flow: Flow }>(
  dir: string,
  read: (file: string) => FlowFileRead<Read>,
  take: (loaded: Read, file: string) => readonly FlowProblem[],
): FlowProblem[] {
  const problems: FlowProblem[] = [];
  const owners = new Map<string, string>();
  for (const file of listFlowFiles(dir)) {
    const loaded = read(file);
    if (!loaded.ok) {
      problems.push(...loaded.problems);
      continue;
    }
    const owner = owners.get(loaded.flow.id);
    if (owner !== undefined) {
      problems.push({
        file,
        path: 'id',
        message: `flow id '${loaded.flow.id}' is also used by ${owner}`,
        fix: 'give each flow its own id',
      });
      continue;
    }
    owners.set(loaded.flow.id, file);
    problems.push(...take(loaded, file));
  }
  return problems;
}
