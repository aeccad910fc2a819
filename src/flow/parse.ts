import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { joinPath, type FlowProblem } from './problems.js';
import { didYouMean } from './suggest.js';
import {
  MAX_STEPS_PER_FLOW,
  endStep,
  flowHeader,
  partner,
  questionSchemas,
  sayStep,
  type AskKind,
  type FlowHeader,
  type StepDef,
} from './schema.js';

export interface ParsedFlow {
  readonly header: FlowHeader;
  readonly steps: Readonly<Record<string, StepDef>>;
}

/** Finds the line and column of a path in the source, so every problem points at the text to edit. */
export type Locate = (
  path: readonly (string | number)[],
) => { line: number; column: number } | undefined;

export type ParseResult =
  | { readonly ok: true; readonly flow: ParsedFlow; readonly locate: Locate }
  | { readonly ok: false; readonly problems: readonly FlowProblem[] };

const askKinds = Object.keys(questionSchemas) as AskKind[];

/**
 * Stage one: YAML (or JSON, which YAML reads too) into typed steps, checking shape and
 * limits. Meaning (links, reachability, texts) is checked afterwards by `checkFlowGraph`.
 */
export function parseFlowSource(file: string, source: string): ParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((error) => {
        const position = lineCounter.linePos(error.pos[0]);
        return {
          file,
          path: '',
          message: `the file is not valid YAML: ${error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}`,
          fix: 'check indentation, colons and closing brackets on that line',
          line: position.line,
          column: position.col,
        };
      }),
    };
  }
  const locate = locator(doc, lineCounter);
  const problem = (
    path: readonly (string | number)[],
    message: string,
    fix?: string,
  ): FlowProblem => ({
    file,
    path: joinPath(path),
    message,
    fix,
    ...locate(path),
  });

  const raw: unknown = doc.toJS();
  const header = flowHeader.safeParse(raw);
  if (!header.success)
    return { ok: false, problems: zodProblems(header.error, [], problem, headerKeysAt) };

  const problems: FlowProblem[] = [];
  const entries = Object.entries(header.data.steps);
  if (entries.length > MAX_STEPS_PER_FLOW) {
    problems.push(
      problem(
        ['steps'],
        `has ${entries.length} steps; the most a flow may have is ${MAX_STEPS_PER_FLOW}`,
        'split it into smaller consultations',
      ),
    );
  }
  const steps: Record<string, StepDef> = {};
  for (const [id, value] of entries) {
    if (!/^[a-z][a-z0-9_]*$/.test(id)) {
      problems.push(
        problem(
          ['steps', id],
          `step name '${id}' is not allowed`,
          'use lower-case letters, digits and underscores, starting with a letter',
        ),
      );
      continue;
    }
    const parsed = parseStep(value);
    if ('noKind' in parsed) {
      problems.push(
        problem(
          ['steps', id],
          `step '${id}' does not say what it does`,
          'give it ask: (a question), say: (a message) or end: true',
        ),
      );
    } else if ('unknownAsk' in parsed) {
      problems.push(
        problem(
          ['steps', id, 'ask'],
          `unknown question kind '${parsed.unknownAsk}'${didYouMean(parsed.unknownAsk, askKinds)}`,
          `use one of: ${askKinds.join(', ')}`,
        ),
      );
    } else if (parsed.result.success) {
      steps[id] = parsed.result.data;
    } else {
      problems.push(...zodProblems(parsed.result.error, ['steps', id], problem, () => parsed.keys));
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, flow: { header: header.data, steps }, locate };
}

type StepParse =
  | { result: z.ZodSafeParseResult<StepDef>; keys: readonly string[] }
  | { unknownAsk: string }
  | { noKind: true };

function check(schema: z.ZodObject | z.ZodType<StepDef>, value: unknown): StepParse {
  const keys = 'shape' in schema ? Object.keys(schema.shape as object) : [];
  return { result: schema.safeParse(value) as z.ZodSafeParseResult<StepDef>, keys };
}

/** A step's kind follows from its keys: `ask:` is a question, `end:` ends, `say:` alone is a message. */
function parseStep(value: unknown): StepParse {
  const record =
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  if ('ask' in record) {
    const ask = String(record['ask']);
    const schema = questionSchemas[ask as AskKind];
    if (schema === undefined) return { unknownAsk: ask };
    return check(schema, value);
  }
  if ('end' in record) return check(endStep, value);
  if ('say' in record) return check(sayStep, value);
  return { noKind: true };
}

type MakeProblem = (
  path: readonly (string | number)[],
  message: string,
  fix?: string,
) => FlowProblem;

/** The forms a field written one of two ways may take, for messages about it. */
const UNION_FORMS: Readonly<Record<string, string>> = {
  keywords: 'write a list, [DAYCENTRE], or a map to languages, { DAYCENTRE: en, CANOLFAN: cy }',
  next: 'write a step name, or a map from answer to step with a default: { yes: hours, default: rating }',
  follow_up: 'write true, or the text key of your own follow-up question',
};

const headerKeys = Object.keys(flowHeader.shape);
const partnerKeys = Object.keys(partner.shape);

function headerKeysAt(path: readonly (string | number)[]): readonly string[] {
  if (path.length === 0) return headerKeys;
  return path[0] === 'partners' ? partnerKeys : [];
}

function zodProblems(
  error: z.ZodError,
  prefix: readonly (string | number)[],
  problem: MakeProblem,
  knownKeys: (path: readonly (string | number)[]) => readonly string[],
): FlowProblem[] {
  return error.issues.map((issue) => {
    const path = [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = knownKeys(issue.path.map(String));
        return problem(
          path,
          issue.keys.map((key) => `unknown key '${key}'${didYouMean(key, known)}`).join(', '),
          'remove it or correct its spelling; see the flow format in the README',
        );
      }
      case 'invalid_type':
        // zod leaves out the input unless asked; its message names what it received.
        return /received undefined$/.test(issue.message)
          ? problem(path, `'${String(path.at(-1))}' is required`, `add ${String(path.at(-1))}: ...`)
          : problem(path, issue.message.replace(/^Invalid input: /, ''));
      case 'invalid_union': {
        // Say what the branch that came closest objected to, and show both accepted forms.
        const specific = issue.errors
          .flat()
          .flatMap((inner) => (inner.code === 'invalid_key' ? inner.issues : [inner]))
          .find((inner) => inner.code !== 'invalid_type');
        const form = UNION_FORMS[String(path.at(-1))] ?? 'see the flow format in the README';
        return problem(
          path,
          specific === undefined
            ? 'has the wrong form'
            : specific.message.replace(/^Invalid (string|input|key in record): /, ''),
          form,
        );
      }
      case 'too_small':
        return issue.origin === 'string' && issue.minimum === 1
          ? problem(path, `'${String(path.at(-1))}' is empty`, 'write a value')
          : problem(path, issue.message.replace(/^Too small: /, ''));
      default:
        return problem(path, issue.message.replace(/^Invalid (string|input): /, ''));
    }
  });
}

function locator(doc: Document, lineCounter: LineCounter): Locate {
  return (path) => {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = doc.getIn(path.slice(0, depth), true) as
        { range?: [number, number, number] } | undefined;
      if (node?.range !== undefined) {
        const { line, col } = lineCounter.linePos(node.range[0]);
        return { line, column: col };
      }
    }
    return undefined;
  };
}
