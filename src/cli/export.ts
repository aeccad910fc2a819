import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import { EXPORT_FORMATS } from '../export/exporter.js';
import { prepareFlowExport } from '../export/flow-export.js';
import { parseSince, SINCE_HELP } from '../export/since.js';
import { RedisResponseStore } from '../responses/redis-response-store.js';
import { withCommandRedis } from './command-redis.js';
import { loadLiveContent, unknownFlow } from './live-content.js';

/**
 * `carevoice export <flow>`: streams the responses stored in REDIS_URL to `out`, with columns
 * from every version of the flow the servers know (published in Redis, and FLOWS_DIR). Without
 * REDIS_URL nothing is stored where a command can read it, and it says so.
 */
export async function exportCommand(
  args: string[],
  config: Pick<Config, 'redisUrl' | 'redisPrefix' | 'flowsDir' | 'localesDir'>,
  out: Writable,
  err: Writable,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { format: { type: 'string', default: 'csv' }, since: { type: 'string' } },
  });
  const [flowId, ...extra] = positionals;
  const refuse = (message: string): number => {
    err.write(`carevoice export: ${message}\n`);
    return 1;
  };
  if (flowId === undefined || extra.length > 0)
    return refuse('name one flow, e.g. carevoice export day-centre-weekends > responses.csv');
  const format = EXPORT_FORMATS.find((known) => known === values.format);
  if (format === undefined)
    return refuse(`--format takes ${EXPORT_FORMATS.join(' or ')}, not '${values.format}'`);
  const since = values.since === undefined ? undefined : parseSince(values.since);
  if (values.since !== undefined && since === undefined)
    return refuse(`--since '${values.since}' is not a date: ${SINCE_HELP}`);
  if (config.redisUrl === undefined) {
    const { flows } = await loadLiveContent(config, undefined, err);
    if (flows.get(flowId) === undefined) return refuse(unknownFlow(flowId, flows, config));
    return refuse(
      'REDIS_URL is not set, so there are no stored responses to read: a server without REDIS_URL keeps them in its own memory. Set REDIS_URL to the server’s, or download them from that server: GET /api/flows/<flow>/responses',
    );
  }
  return withCommandRedis(config.redisUrl, refuse, async (redis) => {
    const { flows } = await loadLiveContent(config, redis, err);
    const flow = flows.get(flowId);
    if (flow === undefined) return refuse(unknownFlow(flowId, flows, config));
    const prepared = await prepareFlowExport({
      flow,
      versions: flows.versionsOf(flow.id),
      responses: new RedisResponseStore(redis, config.redisPrefix),
      format,
      since,
    });
    const written = await prepared.write(out).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'EPIPE') return undefined;
      throw error;
    });
    if (written === undefined) return refuse('the output was closed before the export finished');
    const noun = written === 1 ? 'response' : 'responses';
    err.write(`carevoice export: ${written} ${noun} of ${flow.id} written as ${format}\n`);
    return 0;
  });
}
