/**
 * Counts events per key in a fixed window, shared by every process that shares the store.
 * Used for the SMS flood guard, the friendly help reply to strangers and the outbound cap.
 */
export interface RateLimiter {
  /**
   * Counts `events` events (one by default, e.g. the messages of one reply together); `count`
   * is the events in the current window, these included.
   */
  hit(
    name: string,
    key: string,
    windowMs: number,
    events?: number,
  ): Promise<{ readonly count: number }>;
  /** Drops every window of `key`, whatever its name (erasure). */
  forget(key: string): Promise<void>;
}

/**
 * Events to count in a limiter's window as part of a session store's `open` or `commit`
 * (the same windows `hit` counts in), so that counting costs no round trip of its own.
 */
export interface RateHit {
  readonly name: string;
  /** The participant's ref: the window's key, and (in Redis) its hash tag. */
  readonly key: string;
  readonly windowMs: number;
  readonly events: number;
  /** Told the window's count, these events included, once they are counted. */
  counted(count: number): void;
}

/** In this process only: the embedded mode. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { count: number; endsAt: number }>();

  constructor(private readonly clock: () => Date) {}

  async hit(
    name: string,
    key: string,
    windowMs: number,
    events = 1,
  ): Promise<{ readonly count: number }> {
    const now = this.clock().getTime();
    const id = `${name}\u0000${key}`;
    const current = this.windows.get(id);
    if (current === undefined || current.endsAt <= now) {
      this.prune(now);
      this.windows.set(id, { count: events, endsAt: now + windowMs });
      return { count: events };
    }
    current.count += events;
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
