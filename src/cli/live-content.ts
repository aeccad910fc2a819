import type { Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { loadContent } from '../flow/content.js';
import { LiveFlows } from '../flow/live-flows.js';
import { formatProblem, type FlowProblem } from '../flow/problems.js';
import { PublishedFlows } from '../flow/published-flows.js';
import type { FlowRegistry } from '../flow/registry.js';
import { loadRelease } from '../flow/release.js';
import type { TextCatalog } from '../i18n/catalog.js';

export interface LiveContent {
  readonly flows: FlowRegistry;
  readonly catalog: TextCatalog;
}

/**
 * The flows and texts as the servers sharing `redis` have them in service: the files in
 * FLOWS_DIR (refused whole if one is broken, as a server refuses to start on them), then every
 * version published in Redis laid over them in publish order, so the one published last is
 * live and the earlier ones are known too. A stored version this release cannot take is said
 * on `err` and left out, as a server leaves it out. Without `redis` (no REDIS_URL), the files.
 */
export async function loadLiveContent(
  config: Pick<Config, 'flowsDir' | 'localesDir' | 'redisPrefix'>,
  redis: Redis | undefined,
  err: Writable,
): Promise<LiveContent> {
  const content = loadContent(config);
  if (redis === undefined) return content;
  const live = new LiveFlows(content);
  const { versions, problems } = await new PublishedFlows(redis, config.redisPrefix).read();
  const refused: FlowProblem[] = [...problems];
  for (const { release, publishedAt } of versions) {
    const loaded = loadRelease(release, {
      catalog: content.catalog,
      localesDir: config.localesDir,
    });
    refused.push(
      ...(loaded.ok ? live.put(loaded.flow, release.texts, publishedAt) : loaded.problems),
    );
  }
  for (const problem of refused)
    err.write(`carevoice: a published version is left out: ${formatProblem(problem)}\n`);
  return content;
}

/** `no flow 'x' in flows; flows: a, b`: what a command says of a flow it cannot find. */
export function unknownFlow(
  flowId: string,
  flows: Pick<FlowRegistry, 'list'>,
  config: Pick<Config, 'flowsDir' | 'redisUrl'>,
): string {
  const where = config.redisUrl === undefined ? config.flowsDir : `${config.flowsDir} or Redis`;
  const known = flows
    .list()
    .map((flow) => flow.id)
    .join(', ');
  return `no flow '${flowId}' in ${where}; flows: ${known}`;
}
