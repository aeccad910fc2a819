import type { Redis } from 'ioredis';
import { z } from 'zod';
import { defineLuaCommand, REDIS_NOW_MS, type LuaCommand } from '../store/redis-lua.js';
import type { FlowProblem } from './problems.js';
import type { FlowRelease } from './release.js';

/**
 * Published flow versions in Redis, shared by every server process and the CLI:
 *
 * | key                             | type | holds                                            |
 * |---------------------------------|------|--------------------------------------------------|
 * | `${prefix}{flows}:ids`          | set  | the id of every flow ever published              |
 * | `${prefix}{flows}:<id>:release` | hash | version → the release as JSON (see release.ts)   |
 * | `${prefix}{flows}:<id>:order`   | zset | version → when it was last published (ms, Redis) |
 *
 * The version published last is live. Every publish is announced on the channel
 * `${prefix}flows:published` ("<id> <version>"); a server takes it as a cue to read the store
 * again, so a missed announcement (say, during a reconnect) is made good by the next read.
 * Versions are never deleted: conversations that started on one finish on it.
 */
export interface PublishedVersion {
  readonly release: FlowRelease;
  readonly publishedAt: number;
}

/**
 * `make_live`: what `carevoice publish` does; the release goes live unless it is live already.
 * `if_new`: what a server does with FLOWS_DIR at start; a release already stored (live or not)
 * is left alone, so restarting with an older file never undoes a publish.
 */
export type PublishMode = 'make_live' | 'if_new';

export type PublishOutcome =
  | { readonly outcome: 'published'; readonly publishedAt: number }
  /** The same release is live already. */
  | { readonly outcome: 'unchanged' }
  /** `if_new` found the same release stored. */
  | { readonly outcome: 'known' };

export interface StoredVersions {
  /** Every stored version of every flow, the one published first first. */
  readonly versions: readonly PublishedVersion[];
  /** Stored releases this code cannot read; they are skipped. */
  readonly problems: readonly FlowProblem[];
}

/**
 * KEYS: ids, releases, order. ARGV: id, version, release json, digest, mode, channel.
 * A release is the same as the stored one when its digest is; a publish in the same
 * millisecond as the one before it still comes after it.
 */
const PUBLISH_LUA = `
local stored = redis.call('HGET', KEYS[2], ARGV[2])
local same = stored and cjson.decode(stored)['digest'] == ARGV[4]
if same and ARGV[5] == 'if_new' then return {'known', 0} end
local last = redis.call('ZREVRANGE', KEYS[3], 0, 0, 'WITHSCORES')
if same and last[1] == ARGV[2] then return {'unchanged', 0} end
${REDIS_NOW_MS}
if last[2] and tonumber(last[2]) >= now then now = tonumber(last[2]) + 1 end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[3], string.format('%.0f', now), ARGV[2])
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('PUBLISH', ARGV[6], ARGV[1] .. ' ' .. ARGV[2])
return {'published', string.format('%.0f', now)}
`;

const storedRelease = z.object({
  id: z.string().min(1),
  version: z.string().min(1),
  file: z.string(),
  keywords: z.array(z.string()),
  definition: z.string(),
  texts: z.record(z.string(), z.record(z.string(), z.unknown())),
  digest: z.string().min(1),
});

const publishReply = z.tuple([z.enum(['published', 'unchanged', 'known']), z.coerce.number()]);

export class PublishedFlows {
  /** The pub/sub channel that announces each publish. */
  readonly channel: string;
  private readonly publishScript: LuaCommand;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    this.channel = `${prefix}flows:published`;
    this.publishScript = defineLuaCommand(redis, {
      name: 'carevoicePublishFlow',
      keys: 3,
      lua: PUBLISH_LUA,
      readOnly: false,
    });
  }

  async publish(release: FlowRelease, mode: PublishMode): Promise<PublishOutcome> {
    const keys = this.keysOf(release.id);
    const reply = publishReply.parse(
      await this.publishScript(
        `${this.prefix}{flows}:ids`,
        keys.releases,
        keys.order,
        release.id,
        release.version,
        JSON.stringify(release),
        release.digest,
        mode,
        this.channel,
      ),
    );
    const [outcome, publishedAt] = reply;
    return outcome === 'published' ? { outcome, publishedAt } : { outcome };
  }

  async read(): Promise<StoredVersions> {
    const ids = (await this.redis.smembers(`${this.prefix}{flows}:ids`)).sort();
    const pipeline = this.redis.pipeline();
    for (const id of ids) {
      const keys = this.keysOf(id);
      pipeline.zrange(keys.order, '0', '-1', 'WITHSCORES');
      pipeline.hgetall(keys.releases);
    }
    const replies = (await pipeline.exec()) ?? [];
    const versions: PublishedVersion[] = [];
    const problems: FlowProblem[] = [];
    ids.forEach((id, i) => {
      const [orderError, order] = replies[2 * i] ?? [];
      const [releasesError, releases] = replies[2 * i + 1] ?? [];
      if (orderError) throw orderError;
      if (releasesError) throw releasesError;
      const scores = z.array(z.string()).parse(order);
      const byVersion = z.record(z.string(), z.string()).parse(releases);
      for (let at = 0; at + 1 < scores.length; at += 2) {
        const version = scores[at] as string;
        const parsed = storedRelease.safeParse(parseJson(byVersion[version]));
        if (!parsed.success) {
          problems.push({
            file: `${id} version ${version}`,
            path: '',
            message: `the stored release cannot be read: ${parsed.error.issues[0]?.message ?? 'not JSON'}`,
            fix: 'publish the flow file again',
          });
          continue;
        }
        versions.push({ release: parsed.data, publishedAt: Number(scores[at + 1]) });
      }
    });
    versions.sort(
      (a, b) => a.publishedAt - b.publishedAt || a.release.id.localeCompare(b.release.id),
    );
    return { versions, problems };
  }

  private keysOf(id: string): { releases: string; order: string } {
    return {
      releases: `${this.prefix}{flows}:${id}:release`,
      order: `${this.prefix}{flows}:${id}:order`,
    };
  }
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
