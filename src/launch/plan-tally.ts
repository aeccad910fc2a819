import type { InvitationChannel, InvitationJob } from './invitation-job.js';
import type { RejectedRow } from './participants.js';
import type { PlannedSend } from './send-window.js';

/** Rows of each kind a plan lists (and prints) by line; past this they are counted. */
export const LISTED_ROWS = 100;

/** How many rows there are of a kind, and the first `LISTED_ROWS` of them. */
export interface Listed<T> {
  readonly count: number;
  readonly first: readonly T[];
}

export type SkipReason = 'opted_out' | 'already_invited' | 'contacted';

export const SKIP_REASONS: readonly SkipReason[] = ['opted_out', 'already_invited', 'contacted'];

export interface SkippedRow {
  readonly line: number;
  readonly reason: SkipReason;
  /** For `contacted`: by which flow, and when. */
  readonly contact?: { readonly flowId: string; readonly at: number } | undefined;
}

/** A channel's invitations in a plan: how many, what they cost, and when they would go. */
export interface ChannelPlan {
  readonly channel: InvitationChannel;
  readonly invitations: number;
  /** The opening messages of those invitations (for SMS, texts). */
  readonly messages: number;
  /** What those messages cost of the sender's rate: SMS segments, else messages. */
  readonly cost: number;
  /** Invitations by language (`cy plain` for the plain variant), in the order first met. */
  readonly groups: ReadonlyMap<string, number>;
  /** When the first invitation would go, and when the last one's messages would be out. */
  readonly first: number;
  readonly last: number;
}

interface ChannelCount {
  invitations: number;
  messages: number;
  cost: number;
  readonly groups: Map<string, number>;
  readonly first: number;
  last: number;
}

/**
 * What a plan keeps while it reads a participants file: counts, and the first rows of each
 * kind by line. Its size does not grow with the file.
 */
export class PlanTally {
  rows = 0;
  invitations = 0;
  private readonly rejectedRows = new ListedRows<RejectedRow>();
  private readonly skippedRows = {
    opted_out: new ListedRows<SkippedRow>(),
    already_invited: new ListedRows<SkippedRow>(),
    contacted: new ListedRows<SkippedRow>(),
  };
  private readonly byChannel = new Map<InvitationChannel, ChannelCount>();

  constructor(private readonly defaultLanguage: string) {}

  reject(row: RejectedRow): void {
    this.rejectedRows.add(row);
  }

  skip(row: SkippedRow): void {
    this.skippedRows[row.reason].add(row);
  }

  invite(job: InvitationJob, costs: readonly number[], send: PlannedSend): void {
    this.invitations++;
    const channel = this.byChannel.get(job.key.channel) ?? {
      invitations: 0,
      messages: 0,
      cost: 0,
      groups: new Map<string, number>(),
      first: send.start,
      last: send.end,
    };
    const group = `${job.language ?? this.defaultLanguage}${job.variant === 'plain' ? ' plain' : ''}`;
    channel.invitations++;
    channel.messages += costs.length;
    channel.cost += costs.reduce((sum, cost) => sum + cost, 0);
    channel.groups.set(group, (channel.groups.get(group) ?? 0) + 1);
    channel.last = send.end;
    this.byChannel.set(job.key.channel, channel);
  }

  get rejected(): Listed<RejectedRow> {
    return this.rejectedRows.listed();
  }

  get skipped(): Readonly<Record<SkipReason, Listed<SkippedRow>>> {
    return {
      opted_out: this.skippedRows.opted_out.listed(),
      already_invited: this.skippedRows.already_invited.listed(),
      contacted: this.skippedRows.contacted.listed(),
    };
  }

  get channels(): ChannelPlan[] {
    return [...this.byChannel].map(([channel, count]) => ({ channel, ...count }));
  }
}

class ListedRows<T> {
  private count = 0;
  private readonly first: T[] = [];

  add(row: T): void {
    this.count++;
    if (this.first.length < LISTED_ROWS) this.first.push(row);
  }

  listed(): Listed<T> {
    return { count: this.count, first: this.first };
  }
}
