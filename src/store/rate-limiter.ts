/**
 * Counts events per key in a fixed window, shared by every process that shares the store.
 * Used for the SMS flood guard, the friendly help reply to strangers and the outbound cap.
 */
export interface RateLimiter {
  /** Counts one event; `count` is the events in the current window, this one included. */
  hit(name: string, key: string, windowMs: number): Promise<{ readonly count: number }>;
  /** Drops every window of `key`, whatever its name (erasure). */
  forget(key: string): Promise<void>;
}

/** In this process only: the embedded mode. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { count: number; endsAt: number }>();

  constructor(private readonly clock: () => Date) {}

  async hit(name: string, key: string, windowMs: number): Promise<{ readonly count: number }> {
    const now = this.clock().getTime();
    const id = `${name}\u0000${key}`;
    const current = this.windows.get(id);
    if (current === undefined || current.endsAt <= now) {
      this.prune(now);
      this.windows.set(id, { count: 1, endsAt: now + windowMs });
      return { count: 1 };
    }
    current.count++;
    return { count: current.count };
  }

  async forget(key: string): Promise<void> {
    for (const id of this.windows.keys()) if (id.endsWith(`\u0000${key}`)) this.windows.delete(id);
  }

  /** Forgets ended windows now and then, so the map does not grow with every sender ever seen. */
  private prune(now: number): void {
    if (this.windows.size < 10_000) return;
    for (const [id, window] of this.windows) if (window.endsAt <= now) this.windows.delete(id);
  }
}
