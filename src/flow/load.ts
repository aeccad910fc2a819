import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { TextCatalog } from '../i18n/catalog.js';
import { loadFlowSafeguarding, type FlowSafeguarding } from '../safeguarding/flow-lists.js';
import { checkConsentSteps } from './consent.js';
import { durationMs } from './duration.js';
import { DEFAULT_EXPIRY_MS, DEFAULT_RETENTION_MS, DEFAULT_TIMEZONE, type Flow } from './flow.js';
import { checkFlowGraph } from './graph.js';
import { parseFlowSource, type ParsedFlow } from './parse.js';
import type { FlowProblem } from './problems.js';
import { checkFlowTexts } from './texts.js';

export const FLOW_FILE_EXTENSIONS = ['.yaml', '.yml', '.json'];

export type FlowLoad =
  | { readonly ok: true; readonly flow: Flow }
  | { readonly ok: false; readonly problems: readonly FlowProblem[] };

export interface FlowSources {
  readonly catalog: TextCatalog;
  readonly localesDir: string;
}

/** Reads, checks and freezes one flow file; every problem found is returned, not just the first. */
export function loadFlowFile(file: string, sources: FlowSources): FlowLoad {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    return {
      ok: false,
      problems: [
        {
          file,
          path: '',
          message: `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
        },
      ],
    };
  }
  return loadFlowSource(file, source, sources);
}

export function loadFlowSource(file: string, source: string, sources: FlowSources): FlowLoad {
  const parsed = parseFlowSource(file, source);
  if (!parsed.ok) return parsed;
  const graphProblems = [
    ...checkFlowGraph(file, parsed.flow, parsed.locate),
    ...checkConsentSteps(file, parsed.flow, parsed.locate),
  ];
  if (graphProblems.length > 0) return { ok: false, problems: graphProblems };
  const textProblems = checkFlowTexts(
    file,
    parsed.flow,
    parsed.locate,
    sources.catalog,
    sources.localesDir,
  );
  if (textProblems.length > 0) return { ok: false, problems: textProblems };
  const screening = loadFlowSafeguarding(
    file,
    parsed.flow,
    parsed.locate,
    sources.catalog,
    sources.localesDir,
  );
  if (!screening.ok) return screening;
  return { ok: true, flow: freezeFlow(file, parsed.flow, screening.safeguarding) };
}

/** Flow files in a folder, in name order. */
export function listFlowFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => FLOW_FILE_EXTENSIONS.includes(extname(name)))
    .sort()
    .map((name) => join(dir, name));
}

function freezeFlow(
  file: string,
  { header, steps }: ParsedFlow,
  safeguarding: FlowSafeguarding,
): Flow {
  const [from, to] = header.quiet_hours?.split('-') ?? [];
  const flow: Flow = {
    id: header.id,
    version: versionOf(header, steps),
    title: header.title,
    level: header.level,
    languages: header.languages,
    variants: ['standard', ...(header.variants ?? [])],
    roles: header.roles ?? [],
    keywords: keywordList(header.keywords).map((word) => word.toUpperCase()),
    keywordLanguages:
      Array.isArray(header.keywords) || header.keywords === undefined
        ? {}
        : Object.fromEntries(
            Object.entries(header.keywords).map(([word, lang]) => [word.toUpperCase(), lang]),
          ),
    expiresAfterMs:
      header.expires_after === undefined ? DEFAULT_EXPIRY_MS : durationMs(header.expires_after),
    reminderDelaysMs: (header.reminders ?? []).map(durationMs),
    quietHours: from !== undefined && to !== undefined ? { from, to } : undefined,
    timezone: header.timezone ?? DEFAULT_TIMEZONE,
    contactCapDays: header.contact_cap_days,
    inboundOnly: header.inbound_only === true,
    start: header.start,
    steps,
    partners: header.partners ?? [],
    keepPartial:
      header.keep_partial === true ||
      (header.partners ?? []).some((partner) => partner.send_partial === true),
    safeguarding,
    retentionMs:
      header.retention === undefined ? DEFAULT_RETENTION_MS : durationMs(header.retention),
    source: file,
  };
  return deepFreeze(flow);
}

function keywordList(keywords: ParsedFlow['header']['keywords']): string[] {
  if (keywords === undefined) return [];
  return Array.isArray(keywords) ? keywords : Object.keys(keywords);
}

/** The definition's content hash: edits to the steps give a new version; comments and layout do not. */
function versionOf(header: ParsedFlow['header'], steps: ParsedFlow['steps']): string {
  return createHash('sha256')
    .update(JSON.stringify({ ...header, steps }))
    .digest('hex')
    .slice(0, 12);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
