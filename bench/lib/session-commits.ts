import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { responseRecordFor } from '../../src/responses/record.js';
import { participantRef } from '../../src/store/participant-ref.js';
import { RedisSessionStore } from '../../src/store/redis-session-store.js';
import type { ParticipantKey, SessionCommit } from '../../src/store/session-store.js';
import type { SampleConversation } from './sample-conversation.js';

const DAY_MS = 86_400_000;

/** The i-th bench participant: UK mobile numbers 07700 900000 onwards, never texted. */
export function benchPhone(i: number): string {
  return `+447700${String(900_000 + i).padStart(6, '0')}`;
}

/**
 * People taking the sample conversation, committed through the real Redis session store as
 * the conversation service commits them: the keyword's commit opens the session and counts
 * `started`; the last answer's commit ends it, stores the response record (with its outbox
 * entry and index entry) and counts `completed`, in the same script.
 */
export class SampleCommits {
  private readonly store: RedisSessionStore;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly secret: string,
    private readonly sample: SampleConversation,
  ) {
    this.store = new RedisSessionStore({ redis, prefix, secret });
  }

  /** Person `i` starts the flow, and finishes it when `completes`. */
  async person(i: number, completes: boolean, now: Date): Promise<void> {
    const key: ParticipantKey = { channel: 'sms', address: benchPhone(i) };
    const { opened, completed, flow } = this.sample;
    await this.commit(key, {
      session: opened,
      expectedRevision: null,
      messageId: `SM${randomUUID().replaceAll('-', '')}`,
      ttlMs: Date.parse(opened.expiresAt) - now.getTime() + DAY_MS,
      counts: ['started'],
    });
    if (!completes) return;
    await this.commit(key, {
      session: completed,
      expectedRevision: opened.revision,
      messageId: `SM${randomUUID().replaceAll('-', '')}`,
      ttlMs: DAY_MS,
      record: responseRecordFor(completed, flow.keepPartial, {
        id: randomUUID(),
        respondent: participantRef(key, this.secret),
        channel: key.channel,
        endedAt: now,
      }),
      counts: ['completed'],
    });
  }

  /** People `from` to `to - 1`, `parallel` commits in flight at a time; every other one completes. */
  async people(from: number, to: number, now: Date, parallel = 500): Promise<void> {
    for (let start = from; start < to; start += parallel) {
      const batch: Promise<void>[] = [];
      for (let i = start; i < Math.min(to, start + parallel); i++)
        batch.push(this.person(i, i % 2 === 0, now));
      await Promise.all(batch);
    }
  }

  private async commit(key: ParticipantKey, change: SessionCommit): Promise<void> {
    const result = await this.store.commit(key, change);
    if (result !== 'saved')
      throw new Error(`a bench commit under ${this.prefix} answered ${result}`);
  }
}
