import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { startSession, step } from '../src/engine/step.js';
import { formatInput, formatOutcome, formatReply } from '../src/cli/transcript.js';
import { shippedContent } from './helpers/content.js';

const caseSchema = z.strictObject({
  name: z.string(),
  flow: z.string(),
  lang: z.string(),
  variant: z.enum(['standard', 'plain']).default('standard'),
  role: z.string().optional(),
  inputs: z.array(z.string()),
});
const cases = z.array(caseSchema).parse(parse(readFileSync('tests/golden/cases.yaml', 'utf8')));
const { flows, translate } = shippedContent();
const update = process.env['UPDATE_GOLDEN'] === '1';
const now = new Date('2026-11-26T10:00:00Z');

type Case = z.infer<typeof caseSchema>;

function command(c: Case): string[] {
  return [
    'chat',
    c.flow,
    '--lang',
    c.lang,
    '--variant',
    c.variant,
    ...(c.role === undefined ? [] : ['--role', c.role]),
  ];
}

/** The conversation as the engine alone runs it, in the transcript form `carevoice chat` prints. */
function runEngine(c: Case): string {
  const flow = flows.get(c.flow);
  if (flow === undefined) throw new Error(`no flow ${c.flow}`);
  const ctx = { now, translate };
  let result = startSession(flow, { language: c.lang, variant: c.variant, role: c.role }, ctx);
  const lines = result.replies.map(formatReply);
  for (const text of c.inputs) {
    if (result.session.status !== 'active') break;
    lines.push(formatInput(text));
    result = step(flow, result.session, { type: 'text', text }, ctx);
    lines.push(...result.replies.map(formatReply));
  }
  lines.push(formatOutcome(result.session));
  return `${lines.join('\n')}\n`;
}

function golden(c: Case): { file: string; header: string } {
  return {
    file: `tests/golden/${c.flow}/${c.name}.txt`,
    header: `# carevoice ${command(c).join(' ')}\n`,
  };
}

describe.each(cases)('transcript $flow/$name', (c) => {
  it('matches the reviewed golden transcript through the engine', () => {
    const { file, header } = golden(c);
    const actual = header + runEngine(c);
    if (update || !existsSync(file)) {
      if (!update)
        throw new Error(`${file} is missing: run UPDATE_GOLDEN=1 npm test and review it`);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, actual);
    }
    expect(actual).toBe(readFileSync(file, 'utf8'));
  });

  it('reads the same through carevoice chat from a pipe', () => {
    const { file, header } = golden(c);
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...command(c)], {
      input: `${c.inputs.join('\n')}\n`,
      encoding: 'utf8',
      env: { ...process.env, FLOWS_DIR: 'flows', LOCALES_DIR: 'locales' },
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(header + run.stdout).toBe(readFileSync(file, 'utf8'));
  });
});
