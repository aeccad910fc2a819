import { randomUUID } from 'node:crypto';
import type { MessageStatusLog } from '../channels/twilio/message-status.js';
import type { JobEraser } from '../jobs/job-queue.js';
import type { Logger } from '../logger.js';
import type { DeliveryEraser, DeliveryQueue } from '../partners/delivery-queue.js';
import type { PartnerState } from '../partners/partner-state.js';
import type { RemovedRecord } from '../responses/response-store.js';
import type { RateLimiter } from '../store/rate-limiter.js';
import type { ParticipantKey, ParticipantQueue, SessionStore } from '../store/session-store.js';
import { ErasureTally } from './erasure-tally.js';
import { partnerNotices, type FlowLookup } from './erasure-notices.js';
import type { RecordEraser } from './record-eraser.js';
import type { Tombstone, TombstoneLog } from './tombstones.js';

/** A launch's traces of a person: their entry in flows' invitation lists, and invitation jobs. */
export interface InvitationEraser {
  /** `personRef`: the launch's ref (a phone number's SMS ref stands for its WhatsApp too). */
  forget(
    personRef: string,
  ): Promise<{ readonly invitations: number; readonly busy: number; readonly jobs: number }>;
}

export interface ErasureDeps {
  readonly store: SessionStore;
  readonly queue: ParticipantQueue;
  readonly records: RecordEraser;
  readonly jobs: JobEraser;
  readonly deliveries: DeliveryEraser & Pick<DeliveryQueue, 'enqueue'>;
  readonly partners: Pick<PartnerState, 'held' | 'release'>;
  readonly statusLog: Pick<MessageStatusLog, 'forget'>;
  readonly limiter: Pick<RateLimiter, 'forget'>;
  /** Launches keep their ledger in Redis: absent in the embedded mode. */
  readonly invitations?: InvitationEraser | undefined;
  readonly personRefOf: (key: ParticipantKey) => string;
  readonly flows: FlowLookup;
  readonly tombstones: TombstoneLog;
  readonly refOf: (key: ParticipantKey) => string;
  readonly clock: () => Date;
  readonly logger: Logger;
  /**
   * Pauses before asking again for jobs and deliveries that were running (a reminder waiting
   * for the turn erasure held; a partner attempt, at most 15 s). Tests pass short ones.
   */
  readonly settlePausesMs?: readonly number[] | undefined;
}

/** About 16 s in all: long enough for a partner attempt (15 s timeout) to end. */
const SETTLE_PAUSES_MS = [100, 250, 500, 1_000, 2_000, 4_000, 8_000];

export type ErasureRequester = Tombstone['requestedBy'];

/**
 * Erases everything held about a person, channel by channel, each in the participant's turn
 * (ParticipantQueue.run), so a message arriving meanwhile waits and then finds nothing to
 * add to: it starts afresh, as from a stranger.
 *
 * Order matters for what can go wrong: records first (their partners are told while the
 * records are still there, so a failure leaves them for a second run), then sessions and
 * history, then jobs, the message log and rate windows. A person who sent STOP keeps the
 * opt-out marker (a suppression entry): nobody may text them again, not even a later launch.
 */
export class ErasureService {
  constructor(private readonly deps: ErasureDeps) {}

  async forget(keys: readonly ParticipantKey[], requestedBy: ErasureRequester): Promise<Tombstone> {
    const tally = new ErasureTally();
    for (const key of keys) await this.deps.queue.run(key, () => this.erase(key, tally));
    const stillRunning = await this.settle(keys, tally);
    const tombstone = tally.tombstone({
      id: randomUUID(),
      at: this.deps.clock().toISOString(),
      requestedBy,
      channels: [...new Set(keys.map((key) => key.channel))],
      stillRunning,
    });
    await this.deps.tombstones.add(tombstone);
    this.deps.logger.info(
      {
        code: 'participant_erased',
        erasure: tombstone.id,
        channels: tombstone.channels,
        ...tombstone.counts,
        stillRunning,
      },
      'everything held about a participant was erased',
    );
    return tombstone;
  }

  /** The latest tombstones, newest first. */
  recent(limit: number): Promise<Tombstone[]> {
    return this.deps.tombstones.recent(limit);
  }

  private async erase(key: ParticipantKey, tally: ErasureTally): Promise<void> {
    const { deps } = this;
    const ref = deps.refOf(key);
    const removed = await deps.records.eraseRespondent(ref, (found) =>
      this.tellPartners(found, tally),
    );
    tally.addRecords(removed.map(({ record }) => record));

    const [current, history, optedOut] = await Promise.all([
      deps.store.load(key),
      deps.store.history(key),
      deps.store.isOptedOut(key),
    ]);
    await deps.store.delete(key);
    // The suppression entry: without it a later launch could text someone who said STOP.
    if (optedOut) await deps.store.setOptedOut(key, true);
    // An ended session is also in history: counted once.
    tally.addSessions((current?.status === 'active' ? 1 : 0) + history.length, optedOut);

    const jobs = await deps.jobs.forget(`${ref}.`);
    tally.addJobs(jobs.removed, jobs.busy);
    const invited = await deps.invitations?.forget(deps.personRefOf(key));
    if (invited !== undefined) {
      tally.addJobs(invited.jobs, invited.busy);
      tally.addInvitations(invited.invitations);
    }
    await deps.statusLog.forget(ref);
    await deps.limiter.forget(ref);
  }

  /**
   * Withdraws the records' partner deliveries and held deliveries, and queues a signed
   * `response.erased` notice for every partner that may hold one (see erasure-notices.ts).
   */
  private async tellPartners(
    removed: readonly RemovedRecord[],
    tally: ErasureTally,
  ): Promise<void> {
    const relayed = removed.filter((entry) => entry.relayed).map((entry) => entry.record);
    if (relayed.length === 0) return;
    const ids = new Set(relayed.map((record) => record.id));
    const held = (await this.deps.partners.held()).filter(
      (entry) => ids.has(entry.delivery.recordId) && entry.delivery.type !== 'response.erased',
    );
    const plan = partnerNotices(relayed, held, this.deps.flows, this.deps.clock());
    const forgotten = await this.deps.deliveries.forget(plan.deliveryIds);
    for (const entry of held) await this.deps.partners.release(entry.delivery.id, entry.holdId);
    const notices = plan.notices(new Set(forgotten.unsent));
    await this.deps.deliveries.enqueue(notices);
    tally.addDeliveries(forgotten.removed, held.length, notices.length, forgotten.busy);
  }

  /**
   * Work that was running could not be removed: a reminder waiting for the turn erasure held
   * (it then finds nothing and ends) or a partner attempt. Asked again after short pauses;
   * returns how many were still running at the end.
   */
  private async settle(keys: readonly ParticipantKey[], tally: ErasureTally): Promise<number> {
    for (const pause of this.deps.settlePausesMs ?? SETTLE_PAUSES_MS) {
      if (!tally.anythingRunning()) break;
      await new Promise((resolve) => setTimeout(resolve, pause));
      let jobsBusy = 0;
      if (tally.jobsRunning > 0) {
        for (const key of keys) {
          const jobs = await this.deps.jobs.forget(`${this.deps.refOf(key)}.`);
          const invited = await this.deps.invitations?.forget(this.deps.personRefOf(key));
          tally.addJobs(jobs.removed + (invited?.jobs ?? 0), 0);
          jobsBusy += jobs.busy + (invited?.busy ?? 0);
        }
      }
      const deliveries = await this.deps.deliveries.forget(tally.deliveriesRunning);
      tally.settled(jobsBusy, deliveries.removed, deliveries.busy);
    }
    return tally.jobsRunning + tally.deliveriesRunning.length;
  }
}
