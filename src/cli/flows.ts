import type { Writable } from 'node:stream';
import type { Config } from '../config.js';
import { loadCatalog } from '../i18n/catalog.js';
import { listFlowFiles } from '../flow/load.js';
import { loadFlowFiles } from '../flow/load-files.js';
import { formatProblem } from '../flow/problems.js';
import type { PublishedVersion } from '../flow/published-flows.js';
import { withPublishedFlows } from './published-store.js';

/**
 * `carevoice flows`: with REDIS_URL, the published versions every server shares; without,
 * the files in FLOWS_DIR (the embedded server keeps no history beyond its own memory).
 */
export async function flows(
  config: Pick<Config, 'redisUrl' | 'redisPrefix' | 'flowsDir' | 'localesDir'>,
  out: Writable,
  err: Writable,
): Promise<number> {
  if (config.redisUrl === undefined) return flowFiles(config, out, err);
  return withPublishedFlows(config, err, async (store) => {
    const { versions, problems } = await store.read();
    problems.forEach((problem) => err.write(`${formatProblem(problem)}\n`));
    if (versions.length === 0) {
      out.write(
        'no flow published yet: a server publishes the files in FLOWS_DIR when it starts, or run carevoice publish <file>\n',
      );
      return problems.length === 0 ? 0 : 1;
    }
    for (const [id, history] of byFlow(versions)) {
      const [live, ...earlier] = history;
      if (live === undefined) continue;
      out.write(`${id}  keywords: ${live.release.keywords.join(', ') || '(none)'}\n`);
      out.write(versionLine('live', live));
      for (const version of earlier) out.write(versionLine('earlier', version));
    }
    return problems.length === 0 ? 0 : 1;
  });
}

/** Newest first, per flow, flows in name order. */
function byFlow(versions: readonly PublishedVersion[]): Map<string, PublishedVersion[]> {
  const grouped = new Map<string, PublishedVersion[]>();
  const ordered = [...versions].sort(
    (a, b) => a.release.id.localeCompare(b.release.id) || b.publishedAt - a.publishedAt,
  );
  for (const version of ordered)
    grouped.set(version.release.id, [...(grouped.get(version.release.id) ?? []), version]);
  return grouped;
}

function versionLine(label: string, { release, publishedAt }: PublishedVersion): string {
  const at = new Date(publishedAt).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `  ${label.padEnd(8)}${release.version}  published ${at}  ${release.file}\n`;
}

function flowFiles(
  config: Pick<Config, 'flowsDir' | 'localesDir'>,
  out: Writable,
  err: Writable,
): number {
  const { catalog, problems: localeProblems } = loadCatalog(config.localesDir);
  const loaded = loadFlowFiles(listFlowFiles(config.flowsDir), {
    catalog,
    localesDir: config.localesDir,
  });
  out.write(
    `no REDIS_URL: nothing is published; the server serves the files in ${config.flowsDir} and takes edits to them while it runs\n`,
  );
  for (const flow of loaded.flows)
    out.write(
      `${flow.id}  keywords: ${flow.keywords.join(', ') || '(none)'}\n  file    ${flow.version}  ${flow.source}\n`,
    );
  const problems = [...localeProblems, ...loaded.problems];
  problems.forEach((problem) => err.write(`${formatProblem(problem)}\n`));
  return problems.length === 0 ? 0 : 1;
}
