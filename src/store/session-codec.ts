import type { Session } from '../engine/types.js';

/**
 * The fields a session usually holds at their default: left out of the stored JSON (every
 * byte of it is kept per active participant) and put back on reading. Sessions stored whole,
 * before this existed, read the same: their fields simply override the defaults.
 */
const DEFAULTS = {
  variant: 'standard',
  role: undefined,
  attempts: 0,
  followUps: 0,
  answers: {},
  params: {},
} as const satisfies Partial<Session>;

type DefaultField = keyof typeof DEFAULTS;

/** The session as compact JSON: fields at their default and absent optional ones are omitted. */
export function encodeSession(session: Session): string {
  const kept = Object.entries(session).filter(
    ([field, value]) => !(field in DEFAULTS && isDefault(field as DefaultField, value)),
  );
  return JSON.stringify(Object.fromEntries(kept));
}

/** Reads what `encodeSession` wrote, or a session stored whole. */
export function decodeSession(json: string): Session {
  return { ...DEFAULTS, ...(JSON.parse(json) as Partial<Session>) } as Session;
}

function isDefault(field: DefaultField, value: unknown): boolean {
  const fallback = DEFAULTS[field];
  if (typeof fallback === 'object') {
    return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
  }
  return value === fallback;
}
