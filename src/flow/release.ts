import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { createCatalog, type Resources, type TextBundle } from '../i18n/catalog.js';
import type { Flow } from './flow.js';
import { loadFlowSource, type FlowSources } from './load.js';
import type { FlowProblem } from './problems.js';

/**
 * One version of a flow as it is published: the flow file's own text, so that every server
 * validates it with its own code, and the flow's texts in each of its languages, so that a
 * server needs no copy of the locale files.
 */
export interface FlowRelease {
  readonly id: string;
  readonly version: string;
  /** The file's name (not its folder), for messages. */
  readonly file: string;
  readonly keywords: readonly string[];
  readonly definition: string;
  /** Language → the flow's namespace of texts (`locales/<language>/<id>.json`). */
  readonly texts: Readonly<Record<string, TextBundle>>;
  /** Hash of definition and texts: publishing the same thing twice changes nothing. */
  readonly digest: string;
}

export type ReleaseLoad =
  | { readonly ok: true; readonly flow: Flow; readonly release: FlowRelease }
  | { readonly ok: false; readonly problems: readonly FlowProblem[] };

/** Reads and validates (both stages) a flow file, and gathers its texts for publishing. */
export function prepareRelease(file: string, sources: FlowSources): ReleaseLoad {
  let definition: string;
  try {
    definition = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return { ok: false, problems: [{ file, path: '', message: `cannot read the file: ${code}` }] };
  }
  const loaded = loadFlowSource(file, definition, sources);
  if (!loaded.ok) return loaded;
  const { flow } = loaded;
  // Validation found the flow's texts in every language it declares.
  const texts: Record<string, TextBundle> = {};
  for (const language of flow.languages) {
    const bundle = sources.catalog.resources[language]?.[flow.id];
    if (bundle !== undefined) texts[language] = bundle;
  }
  return {
    ok: true,
    flow,
    release: {
      id: flow.id,
      version: flow.version,
      file: basename(file),
      keywords: flow.keywords,
      definition,
      texts,
      digest: digestOf(definition, texts),
    },
  };
}

/**
 * Validates a published release in this process, against the release's own texts and this
 * process's shared (`common`) texts. A release that reads as another version here (another
 * carevoice release of the code) is refused: sessions could not find the version they pinned.
 */
export function loadRelease(release: FlowRelease, sources: FlowSources): ReleaseLoad {
  const resources: Resources = {};
  for (const language of new Set([...sources.catalog.languages(), ...Object.keys(release.texts)])) {
    // Only the release's own texts count for its namespace, never a local file of that name.
    const shared = Object.entries(sources.catalog.resources[language] ?? {}).filter(
      ([namespace]) => namespace !== release.id,
    );
    const own = release.texts[language];
    resources[language] = Object.fromEntries(
      own === undefined ? shared : [...shared, [release.id, own]],
    );
  }
  const loaded = loadFlowSource(release.file, release.definition, {
    catalog: createCatalog(resources),
    localesDir: sources.localesDir,
  });
  if (!loaded.ok) return loaded;
  if (loaded.flow.version !== release.version || loaded.flow.id !== release.id) {
    return {
      ok: false,
      problems: [
        {
          file: release.file,
          path: '',
          message: `published as ${release.id} version ${release.version} but reads as ${loaded.flow.id} version ${loaded.flow.version} here`,
          fix: 'run the same carevoice release on every server and for carevoice publish',
        },
      ],
    };
  }
  return { ok: true, flow: loaded.flow, release };
}

function digestOf(definition: string, texts: Readonly<Record<string, TextBundle>>): string {
  return createHash('sha256')
    .update(JSON.stringify({ definition, texts }))
    .digest('hex')
    .slice(0, 16);
}
