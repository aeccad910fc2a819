import type { ServerResponse } from 'node:http';

/** Fields a route adds to its request's log line, so that a request logs one line, not two. */
const notes = new WeakMap<ServerResponse, Readonly<Record<string, unknown>>>();

/** Adds pseudonymous fields (never addresses or message text) to this request's log line. */
export function noteOnRequestLine(
  res: ServerResponse,
  fields: Readonly<Record<string, unknown>>,
): void {
  notes.set(res, { ...notes.get(res), ...fields });
}

/** What the route noted for this request's line, if anything. */
export function requestLineNotes(res: ServerResponse): Readonly<Record<string, unknown>> {
  return notes.get(res) ?? {};
}
