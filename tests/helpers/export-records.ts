import { Writable } from 'node:stream';
import type { ExportedFlow } from '../../src/export/columns.js';
import type { Answer, AnswerValue } from '../../src/engine/types.js';
import type { ResponseRecord } from '../../src/responses/record.js';

/** The steps of the shipped day-centre flow, as an export sees them. */
export const dayCentre: ExportedFlow = {
  id: 'day-centre-weekends',
  steps: {
    welcome: { say: 'welcome', next: 'role' },
    role: {
      ask: 'choice',
      options: ['service_user', 'carer', 'other'],
      save: 'role',
      sets: 'role',
      next: 'story',
    },
    story: { ask: 'open', save: 'story', follow_up: true, next: 'visits' },
    visits: { ask: 'number', min: 0, max: 7, integer: true, save: 'days_a_week', next: 'weekends' },
    weekends: {
      ask: 'yes_no',
      save: 'weekends_wanted',
      next: { yes: 'hours', no: 'rating', default: 'rating' },
    },
    hours: {
      ask: 'choice',
      multiple: true,
      options: ['morning', 'afternoon', 'evening'],
      save: 'hours',
      next: 'rating',
    },
    rating: { ask: 'scale', range: [1, 5], save: 'rating', next: 'thanks' },
    thanks: { end: true, say: 'thanks' },
  },
};

const AT = '2026-11-02T10:00:00.000Z';

export function answered(value: AnswerValue): Answer {
  return { status: 'answered', value, at: AT };
}

export const skipped: Answer = { status: 'skipped', at: AT };
export const unanswered: Answer = { status: 'unanswered', at: AT };

/** A completed day-centre response; override what a test is about. */
export function responseRecord(overrides: Partial<ResponseRecord> = {}): ResponseRecord {
  return {
    id: 'r1',
    flowId: 'day-centre-weekends',
    flowVersion: 'v1',
    respondent: 'p1',
    channel: 'sms',
    language: 'en',
    variant: 'standard',
    role: 'carer',
    status: 'completed',
    answers: {},
    consent: null,
    startedAt: '2026-11-02T09:00:00.000Z',
    endedAt: '2026-11-02T09:30:00.000Z',
    ...overrides,
  };
}

export async function* recordsOf(
  records: Iterable<ResponseRecord>,
): AsyncGenerator<ResponseRecord> {
  yield* records;
}

/** A writable that keeps every byte written to it. */
export function byteSink(): { stream: Writable; bytes: () => Buffer; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  return {
    stream,
    bytes: () => Buffer.concat(chunks),
    text: () => Buffer.concat(chunks).toString('utf8'),
  };
}
