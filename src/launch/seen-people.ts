import { createHash } from 'node:crypto';

const EMPTY = 0;

/**
 * The people met so far in a participants file, each by 64 bits of the SHA-256 of who they are
 * (`identityOf`), with the line they were first met on. Kept in typed arrays, outside the
 * JavaScript heap, at most 24 bytes a person: a file of a million people is checked for
 * repeats in 24 MB, where a Map of their addresses would take several times that. Two people
 * sharing 64 bits of SHA-256 is not a case that arises (about one chance in 10^7 for a
 * million people).
 */
export class SeenPeople {
  private high = new Uint32Array(1024);
  private low = new Uint32Array(1024);
  /** Line numbers start at 1, so 0 marks a free slot. */
  private lines = new Uint32Array(1024);
  private count = 0;

  /** The line this person was met on before, or undefined: then they are met here, on `line`. */
  meet(identity: string, line: number): number | undefined {
    const digest = createHash('sha256').update(identity).digest();
    const high = digest.readUInt32BE(0);
    const low = digest.readUInt32BE(4);
    const slot = this.find(high, low);
    const first = this.lines[slot] ?? EMPTY;
    if (first !== EMPTY) return first;
    this.high[slot] = high;
    this.low[slot] = low;
    this.lines[slot] = line;
    if (++this.count * 2 > this.lines.length) this.grow();
    return undefined;
  }

  /** The slot holding this digest, or the free slot where it would go (linear probing). */
  private find(high: number, low: number): number {
    const mask = this.lines.length - 1;
    let slot = low & mask;
    while (
      (this.lines[slot] ?? EMPTY) !== EMPTY &&
      (this.high[slot] !== high || this.low[slot] !== low)
    )
      slot = (slot + 1) & mask;
    return slot;
  }

  /** Twice the slots, so that at most half are taken and probes stay short. */
  private grow(): void {
    const { high, low, lines } = this;
    this.high = new Uint32Array(lines.length * 2);
    this.low = new Uint32Array(lines.length * 2);
    this.lines = new Uint32Array(lines.length * 2);
    for (let slot = 0; slot < lines.length; slot++) {
      const line = lines[slot] ?? EMPTY;
      if (line === EMPTY) continue;
      const to = this.find(high[slot] ?? 0, low[slot] ?? 0);
      this.high[to] = high[slot] ?? 0;
      this.low[to] = low[slot] ?? 0;
      this.lines[to] = line;
    }
  }
}
