import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { escapeGlob, scanKeys } from './redis-scan.js';

/** What became of one job that erasure asked BullMQ to remove. */
export interface RemovedJob {
  readonly id: string;
  /** `busy`: the job is running (BullMQ refuses to remove a locked job); ask again once it ends. */
  readonly outcome: 'removed' | 'busy';
  /** Attempts made before it was removed; 0 for a job removed before its first. */
  readonly attemptsMade: number;
  /** It was waiting (for its first attempt or a retry), not finished. */
  readonly waiting: boolean;
}

const WAITING_STATES: ReadonlySet<string> = new Set([
  'waiting',
  'delayed',
  'prioritized',
  'waiting-children',
]);

const EVENTS_PAGE = 1_000;

/**
 * Removes jobs by id, with their data, whatever their state except running. Ids with no job
 * are left out of the answer. BullMQ's remove also drops the job's logs and its place in
 * every list and set of the queue.
 */
export async function removeBullJobs(queue: Queue, ids: readonly string[]): Promise<RemovedJob[]> {
  const removed: RemovedJob[] = [];
  for (const id of ids) {
    const job = await queue.getJob(id);
    if (job === undefined) continue;
    const state = await queue.getJobState(id);
    const outcome = (await queue.remove(id)) === 1 ? 'removed' : 'busy';
    removed.push({
      id,
      outcome,
      attemptsMade: job.attemptsMade,
      waiting: WAITING_STATES.has(state),
    });
  }
  return removed;
}

/**
 * The ids of a queue's jobs matching `idGlob` (a SCAN pattern: escape literal parts with
 * `escapeGlob`). BullMQ has no index by id, so this scans the queue's keys
 * (`<prefix>:<queue>:<id>` and the id's `:logs`/`:lock` keys): a cost paid only when
 * someone's data is erased, never on the message path.
 */
export async function bullJobIdsMatching(
  redis: Redis,
  queue: Queue,
  idGlob: string,
): Promise<string[]> {
  const base = queue.toKey('');
  const ids = new Set<string>();
  for await (const keys of scanKeys(redis, `${escapeGlob(base)}${idGlob}`)) {
    // Job ids never contain ':', so the id ends at the first one after the queue's base.
    for (const key of keys) ids.add(key.slice(base.length).split(':')[0] ?? '');
  }
  ids.delete('');
  return [...ids];
}

/**
 * Deletes the queue's event-stream entries about the jobs `about` picks. The stream (BullMQ
 * caps it, ~10,000 entries by default) names job ids, and a participant's job ids carry their
 * pseudonymous ref; removing a job itself adds a `removed` event, so this runs after the
 * removals.
 */
export async function dropBullJobEvents(
  redis: Redis,
  queue: Queue,
  about: (jobId: string) => boolean,
): Promise<number> {
  const key = queue.keys.events;
  if (key === undefined) return 0;
  let start = '-';
  let dropped = 0;
  for (;;) {
    const page = (await redis.xrange(key, start, '+', 'COUNT', EVENTS_PAGE)) as [
      string,
      string[],
    ][];
    const matching = page
      .filter(([, fields]) => {
        const jobId = fieldValue(fields, 'jobId');
        return jobId !== undefined && about(jobId);
      })
      .map(([id]) => id);
    if (matching.length > 0) dropped += await redis.xdel(key, ...matching);
    const last = page.at(-1);
    if (last === undefined || page.length < EVENTS_PAGE) return dropped;
    start = `(${last[0]}`;
  }
}

/** Stream entries are flat `[name, value, …]` lists. */
function fieldValue(fields: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}
