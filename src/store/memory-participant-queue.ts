import type { ParticipantKey, ParticipantQueue, Turn } from './session-store.js';

/** The turn of a queue in this process: held by the promise chain, nothing for a store to do. */
const IN_PROCESS_TURN: Turn = {
  token: '',
  leaseMs: 0,
  state: 'settled',
  take: async () => undefined,
  joined: async () => undefined,
  released: () => undefined,
};

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

  runOpening<T>(key: ParticipantKey, work: (turn: Turn) => Promise<T>): Promise<T> {
    return this.run(key, () => work(IN_PROCESS_TURN));
  }

  async close(): Promise<void> {
    await Promise.all(this.tails.values());
  }
}
