import type { Flow } from '../../flow/flow.js';
import { isEnd, nextTargets } from '../../flow/steps.js';

export interface Run {
  readonly steps: readonly string[];
  readonly segments: number;
  /** False when the flow had too many paths to walk them all (see MAX_PATHS). */
  readonly exhaustive: boolean;
}

/** Simple paths walked at most, so a flow with very many branches cannot stall the lint. */
const MAX_PATHS = 100_000;

/**
 * The simple path from start to an end step on which a respondent receives the most segments
 * (ties go to the path with more steps). Reminders, re-asks and HELP are not on it.
 */
export function longestRun(flow: Flow, segmentsAt: (stepId: string) => number): Run | null {
  const found = { best: null as Omit<Run, 'exhaustive'> | null, paths: 0 };
  const path: string[] = [];
  const walk = (id: string, before: number): void => {
    const def = flow.steps[id];
    if (def === undefined || path.includes(id) || found.paths >= MAX_PATHS) return;
    path.push(id);
    const segments = before + segmentsAt(id);
    if (isEnd(def)) {
      found.paths++;
      const { best } = found;
      if (
        best === null ||
        segments > best.segments ||
        (segments === best.segments && path.length > best.steps.length)
      )
        found.best = { steps: [...path], segments };
    }
    for (const next of nextTargets(def)) walk(next, segments);
    path.pop();
  };
  walk(flow.start, 0);
  return found.best === null ? null : { ...found.best, exhaustive: found.paths < MAX_PATHS };
}
