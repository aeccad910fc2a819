import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import { formatProblem } from '../flow/problems.js';
import { DEFAULT_LINT_OPTIONS, lintFlows, type LintOptions } from './lint/lint-flows.js';
import { formatLintJson, formatLintReport } from './lint/report.js';
import { PRICING_OPTIONS, readPricing } from './pricing-options.js';

export {
  QUESTION_ADVICE_RULES,
  questionAdvice,
  type Advice,
  type AdviceRule,
} from './lint/advice.js';
export {
  DEFAULT_LINT_OPTIONS,
  PRICE_NOTE,
  lintFlows,
  type FlowLint,
  type LintOptions,
  type LintReport,
  type WordingLint,
} from './lint/lint-flows.js';
export type { Run } from './lint/longest-run.js';
export type { Wording } from './lint/messages.js';
export {
  MAX_COMFORTABLE_SEGMENTS,
  type MessageLint,
  type MessageWarning,
} from './lint/message-warnings.js';
export { formatLintJson, formatLintReport } from './lint/report.js';

class LintOptionError extends Error {
  readonly code = 'lint_option_invalid';
}

function parseLintArgs(args: readonly string[]): {
  files: string[];
  options: LintOptions;
  json: boolean;
} {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      respondents: { type: 'string' },
      ...PRICING_OPTIONS,
    },
  });
  const respondents = values.respondents ?? String(DEFAULT_LINT_OPTIONS.respondents);
  if (!/^\d+$/.test(respondents))
    throw new LintOptionError(`--respondents takes a whole number, not '${respondents}'`);
  const pricing = readPricing(values);
  if (typeof pricing === 'string') throw new LintOptionError(pricing);
  return {
    files: positionals,
    options: { respondents: Number(respondents), ...pricing },
    json: values.json === true,
  };
}

/** `carevoice lint`: what each flow sends by SMS and what it costs; exit 1 only on invalid files. */
export function lint(
  args: readonly string[],
  config: Pick<Config, 'flowsDir' | 'localesDir'>,
  out: Writable,
  err: Writable,
): number {
  let parsed: ReturnType<typeof parseLintArgs>;
  try {
    parsed = parseLintArgs(args);
  } catch (error) {
    const fromParseArgs =
      error instanceof TypeError &&
      String((error as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS');
    if (!(error instanceof LintOptionError) && !fromParseArgs) throw error;
    err.write(`carevoice lint: ${error.message}\n`);
    return 1;
  }
  const report = lintFlows(parsed.files, config, parsed.options);
  report.problems.forEach((problem) => err.write(`${formatProblem(problem)}\n`));
  if (report.filesChecked === 0) err.write(`no flow files in ${config.flowsDir}\n`);
  out.write(parsed.json ? formatLintJson(report) : formatLintReport(report));
  return report.problems.length === 0 && report.filesChecked > 0 ? 0 : 1;
}
