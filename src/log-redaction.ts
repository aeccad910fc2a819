/**
 * Censoring fields of a log line by path, what pino's `redact` option does, done once per line
 * instead of once per field: pino 10 runs its redactor over every value of every line and
 * parses every path again each time, which made the two lines of an inbound message cost
 * more memory than the rest of its handling together.
 *
 * Paths are dot-separated keys; `*` stands for any key at its level:
 * `address`, `*.address`, `*.key.address`, `req.headers.authorization`.
 */
export type LineCensor = (line: Record<string, unknown>) => Record<string, unknown>;

interface PathNode {
  /** This field is censored. */
  hidden: boolean;
  readonly keys: Map<string, PathNode>;
  any: PathNode | undefined;
}

const node = (): PathNode => ({ hidden: false, keys: new Map(), any: undefined });

/**
 * A function giving the line with the fields at `paths` replaced by `censor`. The line itself
 * is never changed: objects on the way to a censored field are copied, the rest is shared.
 */
export function lineCensor(paths: readonly string[], censor: string): LineCensor {
  const root = node();
  for (const path of paths) {
    let at = root;
    for (const key of path.split('.')) {
      const next = key === '*' ? (at.any ??= node()) : at.keys.get(key);
      if (next !== undefined) at = next;
      else at.keys.set(key, (at = node()));
    }
    at.hidden = true;
  }
  const roots = [root];
  return (line) => censored(line, roots, censor) as Record<string, unknown>;
}

function censored(value: object, nodes: readonly PathNode[], censor: string): object {
  let copy: Record<string, unknown> | undefined;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const field: unknown = (value as Record<string, unknown>)[key];
    if (field === undefined) continue;
    const inner = innerNodes(nodes, key);
    if (inner.length === 0) continue;
    const replaced = inner.some((at) => at.hidden)
      ? censor
      : typeof field === 'object' && field !== null
        ? censored(field, inner, censor)
        : field;
    if (replaced === field) continue;
    copy ??= copyOf(value);
    copy[key] = replaced;
  }
  return copy ?? value;
}

function innerNodes(nodes: readonly PathNode[], key: string): PathNode[] {
  const inner: PathNode[] = [];
  for (const at of nodes) {
    const named = at.keys.get(key);
    if (named !== undefined) inner.push(named);
    if (at.any !== undefined) inner.push(at.any);
  }
  return inner;
}

/**
 * A shallow, writable copy keeping what serialising it reads: an array's items, an error's
 * prototype, message and stack (they are not enumerable), the fields of a frozen object.
 */
function copyOf(value: object): Record<string, unknown> {
  if (Array.isArray(value)) return value.slice() as unknown as Record<string, unknown>;
  const copy = Object.create(Object.getPrototypeOf(value) as object | null) as Record<
    string,
    unknown
  >;
  for (const [key, property] of Object.entries(Object.getOwnPropertyDescriptors(value))) {
    const writable = 'value' in property ? { writable: true } : {};
    Object.defineProperty(copy, key, { ...property, ...writable, configurable: true });
  }
  return copy;
}
