import type { Redis } from 'ioredis';
import type { FlowRegistry } from '../flow/registry.js';
import { RedisInvitationLedger } from '../launch/invitation-ledger.js';
import { BullInvitationQueue } from '../launch/invitation-queue.js';
import { personRef } from '../launch/person.js';
import type { Logger } from '../logger.js';
import type { MemoryResponseStore } from '../responses/memory-response-store.js';
import type { ResponseStore } from '../responses/response-store.js';
import { RedisKeyScheme } from '../store/redis-keys.js';
import { ErasureService, type ErasureDeps, type InvitationEraser } from './erasure.js';
import { MemoryRecordEraser, type RecordEraser } from './record-eraser.js';
import { RedisHistoryPruner, type HistoryPruner } from './redis-history-pruner.js';
import { RedisRecordEraser } from './redis-record-eraser.js';
import { purgeExpired, type RetentionReport } from './retention.js';
import {
  startBullRetention,
  startRetentionTimer,
  type RetentionSchedule,
} from './retention-schedule.js';
import { retentionSummary, type RetentionSummary } from './retention-summary.js';
import { MemoryTombstoneLog, RedisTombstoneLog, type TombstoneLog } from './tombstones.js';

/** Where erasure and retention find what the storage mode keeps. */
export interface PrivacyStores {
  readonly records: RecordEraser;
  readonly tombstones: TombstoneLog;
  /** Participants' ended sessions; the embedded mode keeps them only until restart. */
  readonly history: HistoryPruner | undefined;
  /** Launches keep their ledger and jobs in Redis only. */
  readonly invitations: InvitationEraser | undefined;
  /** Starts the daily retention purge: a timer in the embedded mode, a BullMQ schedule with Redis. */
  schedule(purge: () => Promise<unknown>, logger: Logger): RetentionSchedule;
}

export function memoryPrivacyStores(responses: MemoryResponseStore): PrivacyStores {
  return {
    records: new MemoryRecordEraser(responses),
    tombstones: new MemoryTombstoneLog(),
    history: undefined,
    invitations: undefined,
    schedule: (purge, logger) => startRetentionTimer(purge, logger),
  };
}

export interface RedisPrivacyOptions {
  /** The caller's client (shared); never closed here. */
  readonly redis: Redis;
  /** For BullMQ's own clients (launch invitations, the retention schedule). */
  readonly url: string;
  readonly prefix: string;
  readonly secret: string;
}

export function redisPrivacyStores(options: RedisPrivacyOptions): PrivacyStores {
  const { redis, url, prefix } = options;
  const keys = new RedisKeyScheme({ prefix, secret: options.secret });
  const ledger = new RedisInvitationLedger(redis, prefix);
  return {
    records: new RedisRecordEraser(redis, keys),
    tombstones: new RedisTombstoneLog(redis, prefix),
    history: new RedisHistoryPruner(redis, prefix),
    invitations: {
      // The queue's connections are opened for an erasure only: erasures are rare.
      forget: async (ref) => {
        const queue = new BullInvitationQueue(url, `${prefix}jobs`);
        try {
          const jobs = await queue.forget(ref);
          return { invitations: await ledger.forget(ref), jobs: jobs.removed, busy: jobs.busy };
        } finally {
          await queue.close();
        }
      },
    },
    schedule: (purge, logger) => startBullRetention({ url }, `${prefix}jobs`, purge, logger),
  };
}

/** What the rest of carevoice uses: erasure, the purge, and what each flow holds until when. */
export interface Privacy {
  readonly erasure: ErasureService;
  /** Runs the retention purge now; the schedule runs it once a day. */
  purge(): Promise<RetentionReport>;
  retention(flowId: string): Promise<RetentionSummary>;
  close(): Promise<void>;
}

/** What erasure needs passes straight through; the rest is for retention and person refs. */
export interface PrivacyParts extends Pick<
  ErasureDeps,
  | 'store'
  | 'queue'
  | 'jobs'
  | 'deliveries'
  | 'partners'
  | 'statusLog'
  | 'limiter'
  | 'refOf'
  | 'clock'
  | 'logger'
> {
  readonly stores: PrivacyStores;
  readonly responses: Pick<ResponseStore, 'count'>;
  readonly flows: Pick<FlowRegistry, 'get' | 'list'>;
  readonly secret: string;
  /** False for a command that erases once and exits: the daily purge is the server's. */
  readonly scheduleRetention: boolean;
}

export function startPrivacy(parts: PrivacyParts): Privacy {
  const { stores, clock, logger } = parts;
  const erasure = new ErasureService({
    ...parts,
    records: stores.records,
    invitations: stores.invitations,
    tombstones: stores.tombstones,
    personRefOf: (key) => personRef(key, parts.secret),
  });
  const purge = (): Promise<RetentionReport> =>
    purgeExpired({
      flows: parts.flows,
      records: stores.records,
      partners: parts.partners,
      history: stores.history,
      clock,
      logger,
    });
  const schedule = parts.scheduleRetention ? stores.schedule(purge, logger) : undefined;
  return {
    erasure,
    purge,
    retention: (flowId) =>
      retentionSummary(flowId, parts.flows.get(flowId), parts.responses, stores.records),
    close: async () => {
      await schedule?.close();
    },
  };
}
