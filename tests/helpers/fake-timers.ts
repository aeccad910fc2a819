import type { JobTimers } from '../../src/jobs/memory-job-queue.js';

/** Lets promise callbacks and queued microtasks run; no time passes. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A clock that only moves when told to, firing the timers that fall due on the way. */
export class FakeTimers implements JobTimers<number> {
  private time: number;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; fire: () => void }>();

  constructor(start: number) {
    this.time = start;
  }

  now = (): number => this.time;

  setTimer = (fire: () => void, delayMs: number): number => {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + delayMs, fire });
    return id;
  };

  clearTimer = (id: number): void => {
    this.timers.delete(id);
  };

  get pending(): number {
    return this.timers.size;
  }

  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      const due = [...this.timers.entries()]
        .filter(([, timer]) => timer.at <= target)
        .sort(([, a], [, b]) => a.at - b.at)[0];
      if (due === undefined) break;
      const [id, timer] = due;
      this.timers.delete(id);
      this.time = Math.max(this.time, timer.at);
      timer.fire();
      await settle();
    }
    this.time = target;
    await settle();
  }
}
