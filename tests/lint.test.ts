import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  formatLintReport,
  lintFlows,
  questionAdvice,
  type FlowLint,
  type LintReport,
  type MessageLint,
} from '../src/cli/lint.js';
import { startSession } from '../src/engine/step.js';
import { renderForSms } from '../src/render/sms.js';
import { countSegments } from '../src/render/sms-segments.js';
import { shippedContent } from './helpers/content.js';

const shipped = { flowsDir: 'flows', localesDir: 'locales' };
const options = { respondents: 10, pricePerSegment: 0.05, currency: 'GBP' };
const report = lintFlows([], shipped, options);

function flowReport(id: string, from: LintReport = report): FlowLint {
  const found = from.flows.find((flow) => flow.id === id);
  if (found === undefined) throw new Error(`no report for ${id}`);
  return found;
}

function messagesIn(language: string): MessageLint[] {
  return report.flows.flatMap((flow) =>
    flow.wordings.filter((w) => w.language === language).flatMap((w) => w.messages),
  );
}

function wording(
  flow: FlowLint,
  language: string,
  variant = 'standard',
  role: string | null = null,
) {
  const found = flow.wordings.find(
    (w) => w.language === language && w.variant === variant && w.role === role,
  );
  if (found === undefined) throw new Error(`no wording ${language} ${variant} ${role}`);
  return found;
}

describe('lint of the shipped flows', () => {
  it('lints both flows with no problems', () => {
    expect(report.problems).toEqual([]);
    expect(report.flows.map((flow) => flow.id).sort()).toEqual([
      'day-centre-weekends',
      'friends-and-family',
    ]);
  });

  it('finds every English message GSM-7, as the English wording is plain ASCII', () => {
    const english = messagesIn('en');
    expect(english.length).toBeGreaterThan(30);
    for (const message of english) {
      // Printable ASCII but the backtick, and line breaks: all in GSM-7.
      expect(message.text).toMatch(/^[\n -_a-~]*$/);
      expect(message.encoding, message.id).toBe('GSM-7');
      expect(message.warnings.filter((w) => w.code === 'ucs2_in_gsm_language')).toEqual([]);
    }
  });

  it('finds a Polish message UCS-2 exactly when it uses a Polish letter', () => {
    const polish = messagesIn('pl');
    for (const message of polish) {
      const needsUcs2 = /[ąćęłńóśźż]/i.test(message.text);
      expect(message.encoding, message.text).toBe(needsUcs2 ? 'UCS-2' : 'GSM-7');
      expect(message.forcedBy.length > 0).toBe(needsUcs2);
    }
    // The questions and greetings all need Polish letters; only a few short replies do not.
    expect(polish.filter((m) => m.encoding === 'UCS-2').length).toBeGreaterThan(
      polish.length * 0.8,
    );
  });

  it('finds a Welsh message UCS-2 exactly when it uses a circumflex', () => {
    for (const message of messagesIn('cy')) {
      expect(message.encoding, message.text).toBe(
        /[âêîôûŵŷ]/i.test(message.text) ? 'UCS-2' : 'GSM-7',
      );
    }
  });

  it('counts each message as countSegments does its text', () => {
    for (const flow of report.flows)
      for (const w of flow.wordings)
        for (const m of w.messages) {
          const { encoding, units, segments, characters } = countSegments(m.text);
          expect({ encoding, units, segments, characters }).toEqual({
            encoding: m.encoding,
            units: m.units,
            segments: m.segments,
            characters: m.characters,
          });
          expect(m.warnings.some((x) => x.code === 'over_two_segments')).toBe(m.segments > 2);
        }
  });

  it('shows the texts the engine sends in a real conversation', () => {
    const { flows, translate } = shippedContent();
    const flow = flows.get('friends-and-family');
    if (flow === undefined) throw new Error('no flow');
    for (const variant of ['standard', 'plain'] as const) {
      const started = startSession(
        flow,
        { language: 'pl', variant },
        { now: new Date(), translate },
      );
      const sent = started.replies.map(renderForSms);
      const linted = wording(flowReport('friends-and-family'), 'pl', variant).messages;
      expect(sent).toEqual(
        ['welcome', 'experience'].map((id) => linted.find((m) => m.id === id)?.text),
      );
    }
  });

  it('lists the shared texts a flow can send, and only those', () => {
    const ids = (flow: string): string[] =>
      wording(flowReport(flow), 'en').messages.map((m) => m.id);
    expect(ids('friends-and-family')).toEqual([
      'welcome',
      'experience',
      'why',
      'improve',
      'thanks',
      'common.help',
      'common.reask',
      'common.move_on',
      'common.skipped',
      'common.language_changed',
      'common.stopped',
      // Sent to anyone whose message matches a safeguarding phrase, in any flow.
      'safeguarding.signposting',
      'safeguarding.signposting_local',
      'safeguarding.concern_noted',
    ]);
    // day-centre-weekends has a follow-up on its story and a reminder; FFT has neither.
    expect(ids('day-centre-weekends')).toEqual(
      expect.arrayContaining(['common.follow_up', 'common.follow_up_go_ahead', 'common.reminder']),
    );
    expect(
      wording(flowReport('friends-and-family'), 'en', 'plain').messages.map((m) => m.id),
    ).toContain('common.variant_changed');
  });

  it('builds HELP as the engine does: other languages, and the easy-read offer only in standard', () => {
    const help = (variant: string): string =>
      wording(flowReport('friends-and-family'), 'en', variant).messages.find(
        (m) => m.id === 'common.help',
      )?.text ?? '';
    expect(help('standard')).toContain('Cymraeg, Polski');
    expect(help('standard')).toContain('EASY READ');
    expect(help('plain')).not.toContain('EASY READ');
  });

  it('shows a role only where its wording differs, with just the differing messages', () => {
    const dayCentre = flowReport('day-centre-weekends');
    const english = JSON.parse(
      readFileSync('locales/en/day-centre-weekends.json', 'utf8'),
    ) as Record<string, unknown>;
    const carerKeys = Object.keys(english)
      .filter((key) => key.endsWith('_carer'))
      .map((key) => key.replace(/_carer$/, ''));
    expect(
      wording(dayCentre, 'en', 'standard', 'carer')
        .messages.map((m) => m.id)
        .sort(),
    ).toEqual(carerKeys.sort());
    // No text has an `_other` wording, so the role `other` reads exactly as no role.
    expect(dayCentre.wordings.filter((w) => w.role === 'other')).toEqual([]);
  });

  it('takes friends-and-family’s only path as its longest run', () => {
    const fft = flowReport('friends-and-family');
    const path = ['welcome', 'experience', 'why', 'improve', 'thanks'];
    for (const w of fft.wordings) {
      const byId = new Map(w.messages.map((m) => [m.id, m.text]));
      const expected = path.reduce(
        (sum, id) => sum + countSegments(byId.get(id) ?? '').segments,
        0,
      );
      expect(w.longestRun).toEqual({ steps: path, segments: expected, exhaustive: true });
    }
    const dearest = Math.max(...fft.wordings.map((w) => w.longestRun?.segments ?? 0));
    expect(fft.longestRun?.segments).toBe(dearest);
    expect(fft.cost).toEqual({
      segmentsPerRespondent: dearest,
      total: Math.round(10 * dearest * 0.05 * 100) / 100,
    });
  });

  it('takes the branch through hours, and counts the follow-up, in day-centre-weekends', () => {
    const w = wording(flowReport('day-centre-weekends'), 'en');
    const path = ['welcome', 'role', 'story', 'visits', 'weekends', 'hours', 'rating', 'thanks'];
    const byId = new Map(w.messages.map((m) => [m.id, m.segments]));
    const expected = [...path, 'common.follow_up'].reduce(
      (sum, id) => sum + (byId.get(id) ?? 0),
      0,
    );
    expect(w.longestRun?.steps).toEqual(path);
    expect(w.longestRun?.segments).toBe(expected);
  });

  it('gives no wording advice on the shipped questions', () => {
    expect(report.flows.flatMap((flow) => flow.advice)).toEqual([]);
  });

  it('prints aligned columns and the pricing caveat', () => {
    const text = formatLintReport(report);
    expect(text).toMatch(/^ {2}wording +message +encoding +chars +segments +note$/m);
    expect(text).toMatch(/^ {2}en +welcome +GSM-7 +\d+ +\d+$/m);
    expect(text).toContain('longest full run');
    expect(text).toContain(
      'Prices vary by country and carrier and come from the Twilio price list',
    );
    expect(text).toMatch(/cost estimate: 10 respondents x \d+ segments x 0.05 GBP = [\d.]+ GBP/);
  });
});

// [question, language, rules broken]
const adviceCases: [string, string, string[]][] = [
  ['Did you like the food? And would you come again?', 'en', ['double_barrelled']],
  ['Was it clean? and quiet?', 'en', ['double_barrelled']],
  ['What works well, and what could be better?', 'en', []],
  ['How does it work for you and for the person you care for?', 'en', []],
  ["Don't you agree the centre is great?", 'en', ['leading']],
  ["Wouldn't you say the staff were kind?", 'en', ['leading']],
  ['Don’t you agree, with a curly apostrophe?', 'en', ['leading']],
  ['Do you agree or disagree with the new hours?', 'en', []],
  ['Surely the new hours are better?', 'en', ['leading']],
  ['How great was your visit?', 'en', ['leading']],
  ['How good is the day centre?', 'en', []],
  ['Overall, how good do you think the day centre is?', 'en', []],
  ['Oedd e’n lân? A oedd e’n dawel?', 'cy', []],
];

describe('question advice', () => {
  it.each(adviceCases)('%s (%s)', (text, language, rules) => {
    expect(questionAdvice(text, language).map((a) => a.rule)).toEqual(rules);
  });
});

describe('lint of a flow with slips', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carevoice-lint-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'flows'));
  mkdirSync(join(dir, 'locales', 'en'), { recursive: true });
  copyFileSync('locales/en/common.json', join(dir, 'locales', 'en', 'common.json'));
  // Every language a flow offers needs its safeguarding list.
  copyFileSync('locales/en/safeguarding.json', join(dir, 'locales', 'en', 'safeguarding.json'));
  writeFileSync(
    join(dir, 'flows', 'slips.yaml'),
    [
      'id: slips',
      'title: Slips',
      'level: operational',
      'languages: [en]',
      'start: visit',
      'steps:',
      '  visit: { ask: yes_no, next: thanks }',
      '  thanks: { end: true, say: thanks }',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'locales', 'en', 'slips.json'),
    JSON.stringify({
      title: 'Slips',
      visit: 'Was the visit on time? And was the room clean? 👍',
      thanks: `Thank you – we’re grateful… ${'We read every answer. '.repeat(16)}`,
    }),
  );
  const slips = flowReport(
    'slips',
    lintFlows([], { flowsDir: join(dir, 'flows'), localesDir: join(dir, 'locales') }, options),
  );
  const message = (id: string): MessageLint | undefined =>
    wording(slips, 'en').messages.find((m) => m.id === id);

  it('names the emoji that made an English question UCS-2', () => {
    expect(message('visit')?.encoding).toBe('UCS-2');
    expect(message('visit')?.forcedBy).toEqual(['👍']);
    expect(message('visit')?.warnings).toEqual([
      { code: 'ucs2_in_gsm_language', message: "UCS-2 in en, forced by '👍' (U+1F44D)" },
    ]);
  });

  it('sends smart punctuation as GSM-7, and warns of a message over 2 segments', () => {
    expect(message('thanks')?.text).toMatch(/^Thank you - we're grateful\.\.\. /);
    expect(message('thanks')?.encoding).toBe('GSM-7');
    expect(message('thanks')?.warnings.map((w) => w.code)).toEqual(['over_two_segments']);
  });

  it('advises on the double-barrelled question', () => {
    expect(slips.advice.map((a) => [a.messageId, a.rule])).toEqual([['visit', 'double_barrelled']]);
  });
});

describe('carevoice lint', () => {
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'lint', ...args], {
      encoding: 'utf8',
      env: { ...process.env, FLOWS_DIR: 'flows', LOCALES_DIR: 'locales' },
    });

  it('prints parseable JSON and exits 0 on the shipped flows', () => {
    const run = cli(
      '--json',
      '--respondents',
      '10',
      '--price-per-segment',
      '0.05',
      '--currency',
      'eur',
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const parsed = JSON.parse(run.stdout) as LintReport;
    expect(parsed.pricing).toMatchObject({
      respondents: 10,
      pricePerSegment: 0.05,
      currency: 'EUR',
    });
    expect(parsed.flows.map((flow) => flow.id)).toEqual(report.flows.map((flow) => flow.id));
    expect(flowReport('friends-and-family', parsed).longestRun).toEqual(
      flowReport('friends-and-family').longestRun,
    );
  });

  it('reports an invalid file as validate does, and exits 1', () => {
    const run = cli('tests/fixtures/flows/dangling-next.yaml', 'flows/friends-and-family.yaml');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      "tests/fixtures/flows/dangling-next.yaml:10:14: steps.weekends.next.yes: no step named 'hour'",
    );
    expect(run.stdout).toContain('friends-and-family (flows/friends-and-family.yaml)');
  });

  it('refuses a bad option with a message, exit 1', () => {
    const run = cli('--respondents', 'lots');
    expect(run.status).toBe(1);
    expect(run.stderr).toBe("carevoice lint: --respondents takes a whole number, not 'lots'\n");
  });
});
