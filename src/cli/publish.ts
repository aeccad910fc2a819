import type { Writable } from 'node:stream';
import type { Config } from '../config.js';
import { loadCatalog } from '../i18n/catalog.js';
import { formatProblem, type FlowProblem } from '../flow/problems.js';
import type { PublishedVersion } from '../flow/published-flows.js';
import { prepareRelease, type FlowRelease } from '../flow/release.js';
import { withPublishedFlows } from './published-store.js';

/**
 * `carevoice publish <file>`: both validation stages first, then a keyword check against the
 * other live flows, then one atomic write to Redis that every server hears. Any problem is
 * printed as file:line:column and nothing changes (exit 1).
 */
export async function publish(
  args: readonly string[],
  config: Pick<Config, 'redisUrl' | 'redisPrefix' | 'localesDir'>,
  out: Writable,
  err: Writable,
): Promise<number> {
  const [file, ...extra] = args;
  if (file === undefined || extra.length > 0 || file.startsWith('-')) {
    err.write(`usage: carevoice publish <file>  (one flow file)\n`);
    return 1;
  }
  if (config.redisUrl === undefined) {
    err.write(
      'publish stores versions in Redis and needs REDIS_URL. Without Redis the server watches FLOWS_DIR: save the file there and it goes live once it validates.\n',
    );
    return 1;
  }
  const { catalog, problems: localeProblems } = loadCatalog(config.localesDir);
  const loaded = prepareRelease(file, { catalog, localesDir: config.localesDir });
  if (!loaded.ok) return refuse(file, [...localeProblems, ...loaded.problems], err);
  const { release } = loaded;

  return withPublishedFlows(config, err, async (store) => {
    const { versions } = await store.read();
    const clashes = keywordClashes(file, release, versions);
    if (clashes.length > 0) return refuse(file, clashes, err);
    const previous = liveVersions(versions).get(release.id);
    const result = await store.publish(release, 'make_live');
    if (result.outcome !== 'published') {
      out.write(
        `${release.id} version ${release.version} is live already with these texts: nothing to publish\n`,
      );
      return 0;
    }
    out.write(
      `published ${release.id} version ${release.version} from ${release.file}: live on every server now\n`,
    );
    if (previous !== undefined && previous.release.version !== release.version)
      out.write(
        `  conversations under way on version ${previous.release.version} finish on it; new ones start on ${release.version}\n`,
      );
    return 0;
  });
}

function refuse(file: string, problems: readonly FlowProblem[], err: Writable): number {
  problems.forEach((problem) => err.write(`${formatProblem(problem)}\n`));
  err.write(
    `nothing published: ${file} has ${problems.length} problem${problems.length === 1 ? '' : 's'}; the live version stays\n`,
  );
  return 1;
}

/** The live (last published) version of each flow. */
function liveVersions(versions: readonly PublishedVersion[]): Map<string, PublishedVersion> {
  return new Map(versions.map((version) => [version.release.id, version]));
}

/** A keyword that another live flow already answers to would make texting it ambiguous. */
function keywordClashes(
  file: string,
  release: FlowRelease,
  versions: readonly PublishedVersion[],
): FlowProblem[] {
  const problems: FlowProblem[] = [];
  for (const [id, { release: other }] of liveVersions(versions)) {
    if (id === release.id) continue;
    for (const word of release.keywords.filter((keyword) => other.keywords.includes(keyword)))
      problems.push({
        file,
        path: 'keywords',
        message: `keyword '${word}' already starts the live flow '${id}'`,
        fix: 'choose a keyword no other flow uses',
      });
  }
  return problems;
}
