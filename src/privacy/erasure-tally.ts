import type { ResponseRecord } from '../responses/record.js';
import type { ErasureCounts, Tombstone } from './tombstones.js';

/** What one erasure has removed so far, across the channels it covers; becomes its tombstone. */
export class ErasureTally {
  private readonly records: { id: string; flowId: string }[] = [];
  private readonly counts: { -readonly [K in keyof ErasureCounts]: number } = {
    sessions: 0,
    records: 0,
    deliveries: 0,
    heldDeliveries: 0,
    notices: 0,
    jobs: 0,
    invitations: 0,
  };
  private suppressionKept = false;
  /** Jobs that were running when asked to go. */
  jobsRunning = 0;
  /** Deliveries being attempted when asked to go. */
  deliveriesRunning: string[] = [];

  addRecords(records: readonly ResponseRecord[]): void {
    for (const { id, flowId } of records) this.records.push({ id, flowId });
    this.counts.records += records.length;
  }

  addSessions(sessions: number, suppressionKept: boolean): void {
    this.counts.sessions += sessions;
    this.suppressionKept ||= suppressionKept;
  }

  addJobs(removed: number, running: number): void {
    this.counts.jobs += removed;
    this.jobsRunning += running;
  }

  addInvitations(invitations: number): void {
    this.counts.invitations += invitations;
  }

  addDeliveries(removed: number, held: number, notices: number, running: readonly string[]): void {
    this.counts.deliveries += removed;
    this.counts.heldDeliveries += held;
    this.counts.notices += notices;
    this.deliveriesRunning.push(...running);
  }

  anythingRunning(): boolean {
    return this.jobsRunning > 0 || this.deliveriesRunning.length > 0;
  }

  /** After asking again: what was removed this time and what is still running. */
  settled(
    jobsRunning: number,
    deliveriesRemoved: number,
    deliveriesRunning: readonly string[],
  ): void {
    this.jobsRunning = jobsRunning;
    this.counts.deliveries += deliveriesRemoved;
    this.deliveriesRunning = [...deliveriesRunning];
  }

  tombstone(
    about: Pick<Tombstone, 'id' | 'at' | 'requestedBy' | 'channels' | 'stillRunning'>,
  ): Tombstone {
    return {
      ...about,
      records: [...this.records],
      counts: { ...this.counts },
      suppressionKept: this.suppressionKept,
    };
  }
}
