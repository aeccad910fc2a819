import type { ParticipantKey, ParticipantQueue } from './session-store.js';

/** One promise chain per participant: work runs one at a time, in the order it arrived. */
export class MemoryParticipantQueue implements ParticipantQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: ParticipantKey, work: () => Promise<T>): Promise<T> {
    const id = `${key.channel}\u0000${key.address}`;
    const previous = this.tails.get(id) ?? Promise.resolve();
    const result = previous.then(work, work);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(id, tail);
    void tail.then(() => {
      if (this.tails.get(id) === tail) this.tails.delete(id);
    });
    return result;
  }

  async close(): Promise<void> {
    await Promise.all(this.tails.values());
  }
}
