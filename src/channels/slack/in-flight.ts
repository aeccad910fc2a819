/**
 * Work done after Slack has had its answer. Work for one participant runs in order of
 * arrival in this process, so two quick messages get their replies posted in the order they
 * were sent (the conversation service already orders the answers themselves, across
 * processes). `idle()` lets shutdown, and tests, wait for everything under way.
 */
export class InFlightWork {
  private readonly running = new Set<Promise<void>>();
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `work` after earlier work in the same lane; never rejects (work handles its errors). */
  run(lane: string, work: () => Promise<void>): Promise<void> {
    const previous = this.tails.get(lane) ?? Promise.resolve();
    const current = previous.then(work).catch(() => undefined);
    this.tails.set(lane, current);
    this.running.add(current);
    void current.finally(() => {
      this.running.delete(current);
      if (this.tails.get(lane) === current) this.tails.delete(lane);
    });
    return current;
  }

  /** Resolves once nothing is running, including work that started while waiting. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
