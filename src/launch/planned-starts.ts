/**
 * The planned start (epoch ms) of each invitation of a launch, in the order of the file:
 * worked out once while planning, and given to each job as it is queued. 8 bytes an
 * invitation, where the plan keeps nothing else per person.
 */
export class PlannedStarts {
  private times = new Float64Array(1024);
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(at: number): void {
    if (this.count === this.times.length) {
      const grown = new Float64Array(this.times.length * 2);
      grown.set(this.times);
      this.times = grown;
    }
    this.times[this.count++] = at;
  }

  /** The start of the invitation planned `index`-th (from 0). */
  at(index: number): number {
    if (index >= this.count) throw new RangeError(`no invitation ${index} was planned`);
    return this.times[index] ?? 0;
  }
}
