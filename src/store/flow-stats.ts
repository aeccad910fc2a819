import type { Redis } from 'ioredis';

/**
 * Counts per flow, kept as they happen so that a status report is one read, never a scan of
 * every session. Session outcomes are counted by the store's commit (in the same atomic step);
 * invitations by the launcher; deliveries by the status callbacks.
 */
export const FLOW_STAT_FIELDS = [
  'invited',
  'delivered',
  'failed',
  /** Invitations not sent when their turn came: the person had opted out or was in another conversation. */
  'skipped',
  'started',
  'completed',
  'expired',
  'halted',
  'opted_out',
  'declined',
] as const;
export type FlowStatField = (typeof FLOW_STAT_FIELDS)[number];
export type FlowStatCounts = Readonly<Record<FlowStatField, number>>;

export interface FlowStats {
  add(flowId: string, field: FlowStatField, by?: number): Promise<void>;
  read(flowId: string): Promise<FlowStatCounts>;
}

/** The Redis hash that holds a flow's counts (also written by the commit script). */
export function flowStatsKey(prefix: string, flowId: string): string {
  return `${prefix}f:${flowId}:stats`;
}

export function zeroCounts(): Record<FlowStatField, number> {
  return Object.fromEntries(FLOW_STAT_FIELDS.map((field) => [field, 0])) as Record<
    FlowStatField,
    number
  >;
}

export class MemoryFlowStats implements FlowStats {
  private readonly counts = new Map<string, Record<FlowStatField, number>>();

  async add(flowId: string, field: FlowStatField, by = 1): Promise<void> {
    const counts = this.counts.get(flowId) ?? zeroCounts();
    counts[field] += by;
    this.counts.set(flowId, counts);
  }

  async read(flowId: string): Promise<FlowStatCounts> {
    return { ...(this.counts.get(flowId) ?? zeroCounts()) };
  }
}

export class RedisFlowStats implements FlowStats {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async add(flowId: string, field: FlowStatField, by = 1): Promise<void> {
    await this.redis.hincrby(flowStatsKey(this.prefix, flowId), field, by);
  }

  async read(flowId: string): Promise<FlowStatCounts> {
    const stored = await this.redis.hgetall(flowStatsKey(this.prefix, flowId));
    const counts = zeroCounts();
    for (const field of FLOW_STAT_FIELDS) counts[field] = Number(stored[field] ?? 0);
    return counts;
  }
}
