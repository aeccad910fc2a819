import type { Redis } from 'ioredis';
import { escapeGlob, scanKeys } from './redis-scan.js';

/** Ended sessions kept per participant (see redis-keys.ts) whose flow's retention has passed. */
export interface HistoryPruner {
  /** Removes history entries that ended before their flow's cutoff; returns how many. */
  prune(cutoffOf: (flowId: string) => Date): Promise<number>;
}

/**
 * Participants' `history` lists in Redis. They are found by a SCAN (once a day), and each
 * old entry goes by LREM of its exact value, so a session ending meanwhile (LPUSH by a
 * commit) is never lost to a rewrite of the list.
 */
export class RedisHistoryPruner implements HistoryPruner {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async prune(cutoffOf: (flowId: string) => Date): Promise<number> {
    let removed = 0;
    for await (const keys of scanKeys(this.redis, `${escapeGlob(`${this.prefix}p:`)}*:history`)) {
      const reading = this.redis.pipeline();
      for (const key of keys) reading.lrange(key, 0, -1);
      const lists = (await reading.exec()) ?? [];
      const removing = this.redis.pipeline();
      let queued = 0;
      keys.forEach((key, i) => {
        const [error, entries] = lists[i] ?? [null, []];
        if (error !== null) throw error;
        for (const entry of entries as string[]) {
          if (!endedBefore(entry, cutoffOf)) continue;
          removing.lrem(key, 1, entry);
          queued += 1;
        }
      });
      if (queued === 0) continue;
      for (const [, count] of (await removing.exec()) ?? []) removed += Number(count) || 0;
    }
    return removed;
  }
}

/** A history entry is a session's JSON; one that cannot be read is left for a person to look at. */
function endedBefore(entry: string, cutoffOf: (flowId: string) => Date): boolean {
  try {
    const { flowId, updatedAt } = JSON.parse(entry) as { flowId?: unknown; updatedAt?: unknown };
    if (typeof flowId !== 'string' || typeof updatedAt !== 'string') return false;
    return Date.parse(updatedAt) < cutoffOf(flowId).getTime();
  } catch {
    return false;
  }
}
