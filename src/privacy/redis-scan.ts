import type { Redis } from 'ioredis';

/** Keys asked for per SCAN round trip: big enough to be quick, small enough not to block Redis. */
const SCAN_COUNT = 1_000;

/**
 * The keys matching a glob pattern, a page at a time. SCAN walks the whole keyspace, so it is
 * for erasure and the daily retention run, never for the message path. A key may be given
 * twice (SCAN's guarantee is "at least once"); callers' work must not mind.
 */
export async function* scanKeys(redis: Redis, pattern: string): AsyncIterable<string[]> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
    cursor = next;
    if (keys.length > 0) yield keys;
  } while (cursor !== '0');
}

/** Redis SCAN patterns are globs: `*`, `?`, `[`, `]` and `\` in a literal part must be escaped. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
