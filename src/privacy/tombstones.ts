import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Channel } from '../store/session-store.js';

/** What one erasure removed, counted. */
export interface ErasureCounts {
  /** The conversation under way (if any) and the ended ones kept in history. */
  readonly sessions: number;
  readonly records: number;
  /** Partner deliveries removed before they were sent, while waiting to be retried, or after. */
  readonly deliveries: number;
  /** Deliveries held for coordinators (dead letters, parked) that were dropped. */
  readonly heldDeliveries: number;
  /** `response.erased` notices queued for partners that may hold a record. */
  readonly notices: number;
  /** Reminder, expiry and invitation jobs removed. */
  readonly jobs: number;
  /** Launch invitations forgotten (the person's entry in a flow's invitation list). */
  readonly invitations: number;
}

/**
 * The lasting trace of an erasure, for accountability: when, what was removed, which record
 * ids (so partners' confirmations can be matched), never who. It holds neither the address nor
 * the participant's pseudonymous ref: with the key and a phone number, a ref would show that
 * this person asked to be forgotten, which is itself something about them. Record ids are
 * random and point at nothing once the records are gone.
 */
export interface Tombstone {
  /** Given back to whoever asked, so the request can be referred to later. */
  readonly id: string;
  readonly at: string;
  readonly requestedBy: 'cli' | 'admin_api';
  readonly channels: readonly Channel[];
  readonly records: readonly { readonly id: string; readonly flowId: string }[];
  readonly counts: ErasureCounts;
  /** The person had sent STOP: the opt-out marker was kept so nobody texts them again. */
  readonly suppressionKept: boolean;
  /** Jobs or deliveries that were running and could not be removed (see docs/data-protection.md). */
  readonly stillRunning: number;
}

export interface TombstoneLog {
  add(tombstone: Tombstone): Promise<void>;
  /** Newest first. */
  recent(limit: number): Promise<Tombstone[]>;
}

/** Tombstones are small and kept for accountability; this many of the newest are kept. */
export const TOMBSTONES_KEPT = 100_000;

export class MemoryTombstoneLog implements TombstoneLog {
  private readonly tombstones: Tombstone[] = [];

  async add(tombstone: Tombstone): Promise<void> {
    this.tombstones.unshift(tombstone);
    this.tombstones.length = Math.min(this.tombstones.length, TOMBSTONES_KEPT);
  }

  async recent(limit: number): Promise<Tombstone[]> {
    return this.tombstones.slice(0, limit);
  }
}

/** `${prefix}erasures`: a stream, one entry (`t`: the tombstone's JSON) per erasure. */
export function tombstonesKey(prefix: string): string {
  return `${prefix}erasures`;
}

export class RedisTombstoneLog implements TombstoneLog {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async add(tombstone: Tombstone): Promise<void> {
    await this.redis.xadd(
      tombstonesKey(this.prefix),
      'MAXLEN',
      '~',
      TOMBSTONES_KEPT,
      '*',
      't',
      JSON.stringify(tombstone),
    );
  }

  async recent(limit: number): Promise<Tombstone[]> {
    const entries = (await this.redis.xrevrange(
      tombstonesKey(this.prefix),
      '+',
      '-',
      'COUNT',
      limit,
    )) as [string, string[]][];
    return entries.flatMap(([, fields]) => {
      const parsed = tombstoneSchema.safeParse(parseJson(fields[1]));
      return parsed.success ? [parsed.data] : [];
    });
  }
}

const count = z.number().int().min(0);
const tombstoneSchema = z.object({
  id: z.string(),
  at: z.string(),
  requestedBy: z.enum(['cli', 'admin_api']),
  channels: z.array(z.enum(['web', 'sms', 'whatsapp', 'slack', 'terminal'])),
  records: z.array(z.object({ id: z.string(), flowId: z.string() })),
  counts: z.object({
    sessions: count,
    records: count,
    deliveries: count,
    heldDeliveries: count,
    notices: count,
    jobs: count,
    invitations: count,
  }),
  suppressionKept: z.boolean(),
  stillRunning: count,
});

function parseJson(text: string | undefined): unknown {
  try {
    return text === undefined ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}
