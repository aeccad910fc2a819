import type { Flow } from './flow.js';
import { loadFlowFile, type FlowSources } from './load.js';
import type { FlowProblem } from './problems.js';
import { FlowRegistry } from './registry.js';

export interface LoadedFlowFiles {
  /** The flows that loaded and were published, in the order of the files. */
  readonly flows: readonly Flow[];
  /** Every flow in `flows`, by id and keyword. */
  readonly registry: FlowRegistry;
  /** Each file's problems, and keyword clashes with the files before it, in file order. */
  readonly problems: readonly FlowProblem[];
}

/**
 * Loads the files named and publishes each valid flow to one registry, as `carevoice validate`
 * and `carevoice lint` do: a broken file does not hide the others' problems, and a later version
 * of a flow replaces the earlier one.
 */
export function loadFlowFiles(files: readonly string[], sources: FlowSources): LoadedFlowFiles {
  const registry = new FlowRegistry();
  const flows: Flow[] = [];
  const problems: FlowProblem[] = [];
  for (const file of files) {
    const loaded = loadFlowFile(file, sources);
    if (!loaded.ok) {
      problems.push(...loaded.problems);
      continue;
    }
    const clashes = registry.publish(loaded.flow);
    problems.push(...clashes);
    if (clashes.length === 0) flows.push(loaded.flow);
  }
  return { flows, registry, problems };
}
