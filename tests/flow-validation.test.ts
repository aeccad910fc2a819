import { describe, expect, it } from 'vitest';
import { loadFlowFile, loadFlowSource } from '../src/flow/load.js';
import { formatProblem } from '../src/flow/problems.js';
import { FlowRegistry } from '../src/flow/registry.js';
import { catalogWith, shippedContent } from './helpers/content.js';

const catalog = catalogWith({
  en: {
    'missing-translation': {
      title: 'Missing',
      story: 'Tell us',
      weekends: 'Weekends?',
      thanks: 'Thanks',
    },
  },
  cy: { 'missing-translation': { title: 'Ar goll', story: 'Dywedwch wrthym', thanks: 'Diolch' } },
});
const sources = { catalog, localesDir: 'locales' };

function problemsOf(name: string): string[] {
  const result = loadFlowFile(`tests/fixtures/flows/${name}.yaml`, sources);
  return result.ok ? [] : result.problems.map(formatProblem);
}

// Each broken flow is refused with the file, the line, the path inside it and the fix.
// The wording is pinned: a coordinator reads these, so changes to it are reviewed here.
const broken: [string, string[]][] = [
  [
    'dangling-next',
    [
      "tests/fixtures/flows/dangling-next.yaml:10:14: steps.weekends.next.yes: no step named 'hour'; did you mean 'hours'? (fix: name an existing step)",
    ],
  ],
  [
    'unreachable-step',
    [
      "tests/fixtures/flows/unreachable-step.yaml:11:5: steps.rating: step 'rating' can never be reached from 'story' (fix: link to it with next: rating, or remove it)",
    ],
  ],
  [
    'missing-translation',
    [
      `tests/fixtures/flows/missing-translation.yaml:11:5: steps.weekends: text 'weekends' is missing in locales/cy/missing-translation.json (fix: add "weekends" there (a plain "weekends_plain" is optional))`,
    ],
  ],
  [
    'unknown-key',
    [
      "tests/fixtures/flows/unknown-key.yaml:8:5: steps.story: unknown key 'nxt'; did you mean 'next'? (fix: remove it or correct its spelling; see the flow format in the README)",
    ],
  ],
  [
    'yaml-syntax',
    [
      'tests/fixtures/flows/yaml-syntax.yaml:5:1: the file is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] (fix: check indentation, colons and closing brackets on that line)',
    ],
  ],
  [
    'duplicate-option',
    [
      "tests/fixtures/flows/duplicate-option.yaml:9:35: steps.hours.options[2]: option 'morning' is listed twice (fix: give each option its own key)",
    ],
  ],
  [
    'unknown-kind',
    [
      "tests/fixtures/flows/unknown-kind.yaml:8:10: steps.rating.ask: unknown question kind 'scael'; did you mean 'scale'? (fix: use one of: open, choice, yes_no, scale, number, consent)",
    ],
  ],
  [
    'partner-field',
    [
      "tests/fixtures/flows/partner-field.yaml:17:22: partners[0].fields[1]: no step saves 'ratings'; did you mean 'rating'? (fix: name a save: of one of the questions)",
    ],
  ],
  [
    'branch-without-default',
    [
      "tests/fixtures/flows/branch-without-default.yaml:11:16: steps.weekends.next.maybe: 'maybe' is not an answer to this question (fix: use one of: yes, no, or default)",
      'tests/fixtures/flows/branch-without-default.yaml:10:7: steps.weekends.next: has no default branch for skipped or unclear answers (fix: add default: <step>)',
    ],
  ],
  [
    'endless-loop',
    [
      "tests/fixtures/flows/endless-loop.yaml:14:5: steps.thanks: step 'thanks' can never be reached from 'story' (fix: link to it with next: thanks, or remove it)",
      "tests/fixtures/flows/endless-loop.yaml:8:5: steps.story: from step 'story' no path leads to an end step (a loop with no way out) (fix: give one of the steps in the loop a next that leads to an end: true step)",
      "tests/fixtures/flows/endless-loop.yaml:11:5: steps.again: from step 'again' no path leads to an end step (a loop with no way out) (fix: give one of the steps in the loop a next that leads to an end: true step)",
    ],
  ],
  [
    'bad-header',
    [
      'tests/fixtures/flows/bad-header.yaml:1:5: id: use lower-case letters, digits and hyphens, starting with a letter',
      "tests/fixtures/flows/bad-header.yaml:2:8: title: 'title' is empty (fix: write a value)",
      'tests/fixtures/flows/bad-header.yaml:3:8: level: Invalid option: expected one of "individual"|"operational"|"strategic"',
      'tests/fixtures/flows/bad-header.yaml:4:13: languages[0]: use a two- or three-letter language code such as en, cy or pl',
    ],
  ],
];

describe('broken flow files', () => {
  it.each(broken)('%s is refused with file, path and fix', (name, expected) => {
    expect(problemsOf(name)).toEqual(expected);
  });
});

describe('checks that need no fixture file', () => {
  const base = (steps: string, extra = ''): string =>
    `id: inline\ntitle: Inline\nlevel: individual\nlanguages: [en]\nstart: first\n${extra}steps:\n${steps}`;
  const problems = (source: string): string[] => {
    const result = loadFlowSource('inline.yaml', source, sources);
    return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
  };

  it('refuses a loop made only of messages', () => {
    const steps =
      '  first: { say: a, next: second }\n  second: { say: b, next: first }\n  done: { end: true }\n';
    expect(problems(base(steps))).toContain(
      "steps.first: step 'first' is in a loop of messages with no question, which would never stop",
    );
  });
  it('refuses a scale written backwards and one too long to text', () => {
    expect(
      problems(base('  first: { ask: scale, range: [5, 1], next: done }\n  done: { end: true }\n')),
    ).toEqual(['steps.first.range: the scale runs from 5 to 1']);
    expect(
      problems(
        base('  first: { ask: scale, range: [0, 20], next: done }\n  done: { end: true }\n'),
      ),
    ).toEqual(['steps.first.range: a scale of 21 points is too long to answer by text']);
  });
  it('refuses a role question whose options are not roles', () => {
    const steps =
      '  first: { ask: choice, options: [carer, nurse], sets: role, next: done }\n  done: { end: true }\n';
    expect(problems(base(steps, 'roles: [service_user, carer]\n'))).toEqual([
      "steps.first.options[1]: 'nurse' is not a role",
    ]);
  });
  it('refuses a step that does not say what it does, and an unknown time zone', () => {
    const source = base(
      '  first: { next: done }\n  done: { end: true }\n',
      'timezone: Europe/Lundon\n',
    );
    expect(problems(source)).toEqual(["steps.first: step 'first' does not say what it does"]);
    const zone = base(
      '  first: { ask: open, next: done }\n  done: { end: true }\n',
      'timezone: Europe/Lundon\n',
    );
    expect(problems(zone)).toContain("timezone: 'Europe/Lundon' is not a time zone");
  });
  it.each([
    ['keywords: { "DAY CENTRE": en }\n', 'keywords: use 2 to 20 letters or digits, no spaces'],
    ['keywords: 5\n', 'keywords: has the wrong form'],
  ])('says what is wrong with %j', (line, expected) => {
    expect(
      problems(base('  first: { ask: open, next: done }\n  done: { end: true }\n', line)),
    ).toEqual([expected]);
  });
  it('tells a wrong type from a missing key', () => {
    expect(
      problems(base('  first: { say: hello, next: [done] }\n  done: { end: true }\n')),
    ).toEqual(['steps.first.next: expected string, received array']);
    expect(
      problems(
        base('  first: { ask: open, next: done }\n  done: { end: true }\n').replace(
          'title: Inline\n',
          '',
        ),
      ),
    ).toEqual(["title: 'title' is required"]);
  });
  it('refuses a keyword that starts the flow in a language it does not offer', () => {
    const source = base(
      '  first: { ask: open, next: done }\n  done: { end: true }\n',
      'keywords: { HELLO: en, HELO: cy }\n',
    );
    expect(problems(source)).toEqual([
      "keywords.HELO: keyword 'HELO' starts the flow in 'cy', which is not one of its languages",
    ]);
  });
  it('refuses duplicate keys, which YAML would otherwise silently merge', () => {
    expect(
      problems(
        base(
          '  first: { ask: open, next: done }\n  first: { ask: open, next: done }\n  done: { end: true }\n',
        ),
      )[0],
    ).toMatch(/Map keys must be unique/);
  });
  it('names every missing shared text for a language with no common.json', () => {
    const result = loadFlowSource(
      'inline.yaml',
      base('  first: { ask: open, next: done }\n  done: { end: true }\n').replace(
        '[en]',
        '[en, xx]',
      ),
      {
        catalog: catalogWith({ en: { inline: { title: 'Inline', first: 'Tell us' } } }),
        localesDir: 'locales',
      },
    );
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.problems.map((p) => p.message)).toEqual([
        "no translations for 'xx': locales/xx/inline.json is missing",
      ]);
  });
});

describe('valid flows', () => {
  it('loads the shipped flows and freezes them', () => {
    const { flows } = shippedContent();
    expect(flows.list().map((f) => f.id)).toEqual(['day-centre-weekends', 'friends-and-family']);
    const flow = flows.get('day-centre-weekends');
    expect(flow?.languages).toEqual(['en', 'cy', 'pl']);
    expect(flow?.expiresAfterMs).toBe(14 * 86_400_000);
    expect(flow?.quietHours).toEqual({ from: '20:00', to: '09:00' });
    expect(Object.isFrozen(flow?.steps)).toBe(true);
  });

  it('accepts a flow written in JSON, and finds it by keyword whatever the case and punctuation', () => {
    const result = loadFlowFile('tests/fixtures/valid/short-survey.json', {
      catalog: catalogWith({
        en: { 'short-survey': { title: 'Short', rating: 'How was it?', why: 'Why?' } },
      }),
      localesDir: 'locales',
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const registry = new FlowRegistry();
    expect(registry.publish(result.flow)).toEqual([]);
    expect(registry.byKeyword(' short! ')?.flow.id).toBe('short-survey');
    expect(registry.byKeyword('shorter')).toBeUndefined();
  });

  it('gives an edited flow a new version and keeps the old one for sessions that started on it', () => {
    const source = (next: string): string =>
      `id: versions\ntitle: Versions\nlevel: individual\nlanguages: [en]\nkeywords: [VER]\nstart: first\nsteps:\n  first: { ask: open, next: ${next} }\n  second: { ask: open, next: done }\n  done: { end: true }\n`;
    const texts = {
      catalog: catalogWith({
        en: { versions: { title: 'Versions', first: 'One', second: 'Two' } },
      }),
      localesDir: 'locales',
    };
    const v1 = loadFlowSource('v.yaml', source('second'), texts);
    const v2 = loadFlowSource('v.yaml', `# a comment changes nothing\n${source('second')}`, texts);
    const v3 = loadFlowSource(
      'v.yaml',
      source('done').replace('  second: { ask: open, next: done }\n', ''),
      texts,
    );
    if (!v1.ok || !v2.ok || !v3.ok) throw new Error('fixture flows should load');
    expect(v2.flow.version).toBe(v1.flow.version);
    expect(v3.flow.version).not.toBe(v1.flow.version);
    const registry = new FlowRegistry();
    registry.publish(v1.flow);
    registry.publish(v3.flow);
    expect(registry.get('versions')?.version).toBe(v3.flow.version);
    expect(registry.get('versions', v1.flow.version)?.steps['second']).toBeDefined();
  });

  it('refuses a keyword another flow already uses', () => {
    const { flows } = shippedContent();
    const day = flows.get('day-centre-weekends');
    if (day === undefined) throw new Error('demo flow missing');
    const problems = flows.publish({ ...day, id: 'copy', source: 'flows/copy.yaml' });
    expect(problems.map(formatProblem)).toContain(
      "flows/copy.yaml: keywords: keyword 'DAYCENTRE' already starts flow 'day-centre-weekends' (fix: choose a keyword no other flow uses)",
    );
  });
});
