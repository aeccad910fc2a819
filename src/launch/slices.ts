/**
 * Rows a launch handles together: one read of the ledger and the opt-outs, one ledger
 * pipeline and one queue write per slice. Large enough to make round trips rare, small
 * enough that a slice's work is a few megabytes whatever the file's size.
 */
export const SLICE_ROWS = 250;

/** The items in slices of `size`, the last one shorter. */
export function* slicesOf<T>(items: Iterable<T>, size = SLICE_ROWS): Generator<T[]> {
  let slice: T[] = [];
  for (const item of items) {
    slice.push(item);
    if (slice.length === size) {
      yield slice;
      slice = [];
    }
  }
  if (slice.length > 0) yield slice;
}
