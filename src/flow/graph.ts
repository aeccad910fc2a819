import type { FlowProblem } from './problems.js';
import type { ParsedFlow, Locate } from './parse.js';
import type { StepDef } from './schema.js';
import { DEFAULT_BRANCH, isEnd, isQuestion, nextTargets, numericBranch } from './steps.js';
import { checkPartners } from './partner-checks.js';
import { didYouMean } from './suggest.js';
import { joinPath } from './problems.js';

/** Scales longer than this do not read well as a text message. */
export const MAX_SCALE_POINTS = 11;
const VARIANT_OPTIONS = ['standard', 'plain'];

/**
 * Stage two: what the steps mean together. Every link leads somewhere, every step can be
 * reached, every path can finish, and every answer a partner wants is asked for.
 */
export function checkFlowGraph(file: string, flow: ParsedFlow, locate: Locate): FlowProblem[] {
  const { header, steps } = flow;
  const problems: FlowProblem[] = [];
  const ids = Object.keys(steps);
  const add = (path: (string | number)[], message: string, fix?: string): void => {
    problems.push({ file, path: joinPath(path), message, fix, ...locate(path) });
  };

  if (steps[header.start] === undefined) {
    add(
      ['start'],
      `no step named '${header.start}'${didYouMean(header.start, ids)}`,
      'name the first step of the flow',
    );
  }
  duplicates(header.languages).forEach((lang) =>
    add(['languages'], `language '${lang}' is listed twice`, 'list each language once'),
  );
  if (header.keywords !== undefined && !Array.isArray(header.keywords)) {
    for (const [word, language] of Object.entries(header.keywords)) {
      if (!header.languages.includes(language)) {
        add(
          ['keywords', word],
          `keyword '${word}' starts the flow in '${language}', which is not one of its languages`,
          `use one of: ${header.languages.join(', ')}`,
        );
      }
    }
  }
  if (header.timezone !== undefined && !validTimezone(header.timezone)) {
    add(
      ['timezone'],
      `'${header.timezone}' is not a time zone`,
      'use an IANA name such as Europe/London',
    );
  }
  if (header.inbound_only === true && Object.keys(header.keywords ?? {}).length === 0) {
    add(
      ['inbound_only'],
      'an inbound-only flow has no keywords, so nobody could start it',
      'add keywords: [WORD], or remove inbound_only',
    );
  }

  const roles = header.roles ?? [];
  for (const [id, step] of Object.entries(steps)) {
    checkLinks(id, step, ids, add);
    checkStepMeaning(id, step, { roles, languages: header.languages }, add);
  }
  if (problems.length > 0) return problems;

  const reachable = walk(header.start, (id) => nextTargets(steps[id] as StepDef));
  for (const id of ids) {
    if (!reachable.has(id))
      add(
        ['steps', id],
        `step '${id}' can never be reached from '${header.start}'`,
        `link to it with next: ${id}, or remove it`,
      );
  }
  const canFinish = stepsThatCanFinish(steps);
  for (const id of reachable) {
    if (!canFinish.has(id))
      add(
        ['steps', id],
        `from step '${id}' no path leads to an end step (a loop with no way out)`,
        'give one of the steps in the loop a next that leads to an end: true step',
      );
  }
  for (const id of messageLoops(steps)) {
    add(
      ['steps', id],
      `step '${id}' is in a loop of messages with no question, which would never stop`,
      'put a question in the loop or break it',
    );
  }

  checkPartners(header.partners ?? [], steps, add);
  duplicates((header.partners ?? []).map((p) => p.id)).forEach((id) =>
    add(['partners'], `partner '${id}' is listed twice`, 'give each partner its own id'),
  );
  return problems;
}

type Add = (path: (string | number)[], message: string, fix?: string) => void;

function checkLinks(id: string, step: StepDef, ids: readonly string[], add: Add): void {
  if (isEnd(step)) return;
  if (!('next' in step) || step.next === undefined) {
    add(
      ['steps', id],
      `step '${id}' has no next`,
      'add next: <step>, or make it an end step with end: true',
    );
    return;
  }
  if (typeof step.next === 'string') {
    if (!ids.includes(step.next))
      add(
        ['steps', id, 'next'],
        `no step named '${step.next}'${didYouMean(step.next, ids)}`,
        'name an existing step',
      );
    return;
  }
  for (const [answer, target] of Object.entries(step.next)) {
    if (!ids.includes(target))
      add(
        ['steps', id, 'next', answer],
        `no step named '${target}'${didYouMean(target, ids)}`,
        'name an existing step',
      );
  }
  const allowed = branchKeys(step);
  if (allowed === 'none') {
    add(
      ['steps', id, 'next'],
      `a ${isQuestion(step) ? `${step.ask} question` : 'message'} cannot branch on its answer`,
      'give a single step id',
    );
    return;
  }
  for (const answer of Object.keys(step.next)) {
    if (answer === DEFAULT_BRANCH) continue;
    const valid =
      allowed === 'numeric' ? numericBranch(answer) !== undefined : allowed.includes(answer);
    if (!valid) {
      const expected =
        allowed === 'numeric' ? 'a number or a range such as 1-2' : `one of: ${allowed.join(', ')}`;
      add(
        ['steps', id, 'next', answer],
        `'${answer}' is not an answer to this question${allowed === 'numeric' ? '' : didYouMean(answer, allowed)}`,
        `use ${expected}, or default`,
      );
    }
  }
  if (!(DEFAULT_BRANCH in step.next)) {
    add(
      ['steps', id, 'next'],
      'has no default branch for skipped or unclear answers',
      'add default: <step>',
    );
  }
}

function branchKeys(step: StepDef): readonly string[] | 'numeric' | 'none' {
  if (!isQuestion(step)) return 'none';
  switch (step.ask) {
    case 'yes_no':
      return ['yes', 'no'];
    case 'choice':
      return step.options;
    case 'scale':
    case 'number':
      return 'numeric';
    case 'open':
    case 'consent':
      return 'none';
  }
}

function checkStepMeaning(
  id: string,
  step: StepDef,
  flow: { roles: readonly string[]; languages: readonly string[] },
  add: Add,
): void {
  if (!isQuestion(step)) return;
  if (step.ask === 'choice') {
    const seen = new Set<string>();
    step.options.forEach((option, i) => {
      if (seen.has(option))
        add(
          ['steps', id, 'options', i],
          `option '${option}' is listed twice`,
          'give each option its own key',
        );
      seen.add(option);
    });
    const allowed =
      step.sets === 'role'
        ? flow.roles.length > 0
          ? flow.roles
          : undefined
        : step.sets === 'language'
          ? flow.languages
          : step.sets === 'variant'
            ? VARIANT_OPTIONS
            : undefined;
    if (allowed !== undefined) {
      step.options.forEach((option, i) => {
        if (!allowed.includes(option))
          add(
            ['steps', id, 'options', i],
            `'${option}' is not a ${step.sets}${didYouMean(option, allowed)}`,
            `use one of: ${allowed.join(', ')}`,
          );
      });
    }
    if (step.multiple === true && step.sets !== undefined)
      add(
        ['steps', id, 'multiple'],
        `a question that sets the ${step.sets} takes one answer`,
        'remove multiple: true',
      );
  }
  if (step.ask === 'scale') {
    const [low, high] = step.range;
    if (low >= high)
      add(
        ['steps', id, 'range'],
        `the scale runs from ${low} to ${high}`,
        'write the lower end first, e.g. [1, 5]',
      );
    else if (high - low + 1 > MAX_SCALE_POINTS)
      add(
        ['steps', id, 'range'],
        `a scale of ${high - low + 1} points is too long to answer by text`,
        `use at most ${MAX_SCALE_POINTS} points`,
      );
  }
  if (
    step.ask === 'number' &&
    step.min !== undefined &&
    step.max !== undefined &&
    step.min > step.max
  ) {
    add(['steps', id, 'min'], `min ${step.min} is above max ${step.max}`, 'swap them');
  }
}

function walk(start: string, next: (id: string) => string[]): Set<string> {
  const seen = new Set<string>([start]);
  const queue = [start];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    for (const target of next(id)) {
      if (!seen.has(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
  return seen;
}

function stepsThatCanFinish(steps: Readonly<Record<string, StepDef>>): Set<string> {
  const finishing = new Set(Object.keys(steps).filter((id) => isEnd(steps[id] as StepDef)));
  let grew = true;
  while (grew) {
    grew = false;
    for (const [id, step] of Object.entries(steps)) {
      if (!finishing.has(id) && nextTargets(step).some((t) => finishing.has(t))) {
        finishing.add(id);
        grew = true;
      }
    }
  }
  return finishing;
}

/** Steps on a cycle made only of messages: the engine would pass through them forever. */
function messageLoops(steps: Readonly<Record<string, StepDef>>): string[] {
  const isMessage = (id: string): boolean => {
    const step = steps[id];
    return step !== undefined && !isQuestion(step) && !isEnd(step);
  };
  return Object.keys(steps).filter((id) => {
    if (!isMessage(id)) return false;
    const onlyMessages = (from: string): string[] =>
      nextTargets(steps[from] as StepDef).filter(isMessage);
    return [...walk(id, onlyMessages)].some((other) => onlyMessages(other).includes(id));
  });
}

function duplicates(values: readonly string[]): string[] {
  return [...new Set(values.filter((value, i) => values.indexOf(value) !== i))];
}

function validTimezone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
