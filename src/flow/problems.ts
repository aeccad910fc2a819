/** One thing wrong with a flow file, said so that a coordinator can mend it. */
export interface FlowProblem {
  readonly file: string;
  /** Dotted path inside the file, e.g. `steps.weekends.next.yes`; empty for the whole file. */
  readonly path: string;
  readonly message: string;
  readonly fix?: string | undefined;
  readonly line?: number | undefined;
  readonly column?: number | undefined;
}

export function formatProblem(problem: FlowProblem): string {
  const where =
    problem.line === undefined
      ? problem.file
      : `${problem.file}:${problem.line}:${problem.column ?? 1}`;
  const path = problem.path === '' ? '' : ` ${problem.path}:`;
  const fix = problem.fix === undefined ? '' : ` (fix: ${problem.fix})`;
  return `${where}:${path} ${problem.message}${fix}`;
}

export class FlowValidationError extends Error {
  readonly code = 'flow_invalid';
  constructor(readonly problems: readonly FlowProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'FlowValidationError';
  }
}

export function joinPath(parts: readonly (string | number)[]): string {
  return parts
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join('');
}
