import type { Redis } from 'ioredis';

export interface KindBytes {
  readonly keys: number;
  readonly bytes: number;
}

/** Redis's own count of the bytes it has allocated (INFO memory `used_memory`). */
export async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  const bytes = /^used_memory:(\d+)\r?$/m.exec(info)?.[1];
  if (bytes === undefined) throw new Error('INFO memory has no used_memory');
  return Number(bytes);
}

/**
 * Every key by what it is for, with `MEMORY USAGE` (exact: SAMPLES 0) summed per kind. A
 * bench-only inventory: the product itself never walks the keyspace.
 */
export async function bytesByKind(redis: Redis): Promise<Record<string, KindBytes>> {
  const totals: Record<string, { keys: number; bytes: number }> = {};
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
    const sizes = (await pipeline.exec()) ?? [];
    keys.forEach((key, i) => {
      const kind = kindOf(key);
      const total = (totals[kind] ??= { keys: 0, bytes: 0 });
      total.keys++;
      total.bytes += Number(sizes[i]?.[1] ?? 0);
    });
  } while (cursor !== '0');
  return totals;
}

/** `cv:p:{ref}:session` is `session`, `cv:rate:sms-in:{ref}` is `rate:sms-in`, BullMQ's are `jobs`. */
function kindOf(key: string): string {
  const participant = /^[^{]*p:\{[^}]*\}:(\w+)$/.exec(key);
  if (participant?.[1] !== undefined) return participant[1];
  const rate = /rate:([\w-]+):\{/.exec(key);
  if (rate?.[1] !== undefined) return `rate:${rate[1]}`;
  // BullMQ's event stream is capped (about 10,000 entries), whatever the number of people.
  if (/jobs:.*:events$/.test(key)) return 'job events';
  if (/jobs:/.test(key)) return 'jobs';
  return 'other';
}

/** The change of each kind between two inventories. */
export function kindDelta(
  before: Record<string, KindBytes>,
  after: Record<string, KindBytes>,
): Record<string, KindBytes> {
  const kinds = new Set([...Object.keys(before), ...Object.keys(after)]);
  return Object.fromEntries(
    [...kinds].map((kind) => [
      kind,
      {
        keys: (after[kind]?.keys ?? 0) - (before[kind]?.keys ?? 0),
        bytes: (after[kind]?.bytes ?? 0) - (before[kind]?.bytes ?? 0),
      },
    ]),
  );
}
