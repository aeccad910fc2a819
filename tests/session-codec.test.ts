import { describe, expect, it } from 'vitest';
import type { Session } from '../src/engine/types.js';
import { decodeSession, encodeSession } from '../src/store/session-codec.js';

const fresh: Session = {
  flowId: 'care-home',
  flowVersion: '3',
  status: 'active',
  stepId: 'visit',
  language: 'en',
  variant: 'standard',
  role: undefined,
  attempts: 0,
  followUps: 0,
  answers: {},
  params: {},
  startedAt: '2025-03-01T09:00:00.000Z',
  updatedAt: '2025-03-01T09:00:00.000Z',
  expiresAt: '2025-03-08T09:00:00.000Z',
  revision: 1,
};

describe('the stored session JSON', () => {
  it('leaves out fields at their default and puts them back on reading', () => {
    const json = encodeSession(fresh);
    for (const field of ['variant', 'role', 'attempts', 'followUps', 'answers', 'params']) {
      expect(json).not.toContain(`"${field}"`);
    }
    const decoded = decodeSession(json);
    expect(decoded).toStrictEqual({ ...fresh });
    expect('role' in decoded).toBe(true);
  });

  it('keeps every field away from its default, and nested values as they are', () => {
    const busy: Session = {
      ...fresh,
      variant: 'plain',
      role: 'carer',
      attempts: 1,
      followUps: 2,
      answers: { attempts: { status: 'skipped', at: '2025-03-01T09:01:00.000Z' } },
      // A param may share a name and a value with a session field at its default.
      params: { variant: 'standard', name: 'Alys' },
      repliedAt: '2025-03-01T09:01:00.000Z',
      consent: {
        stepId: 'consent',
        textKey: 'consent.text',
        language: 'en',
        variant: 'standard',
        flowVersion: '3',
        at: '2025-03-01T09:01:00.000Z',
      },
    };
    expect(decodeSession(encodeSession(busy))).toStrictEqual(busy);
  });

  it('reads a session stored whole, as before the compact form', () => {
    expect(decodeSession(JSON.stringify(fresh))).toEqual(fresh);
    const plain = { ...fresh, variant: 'plain' as const, attempts: 1 };
    expect(decodeSession(JSON.stringify(plain))).toEqual(plain);
  });
});
