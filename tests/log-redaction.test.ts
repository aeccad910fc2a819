import { Writable } from 'node:stream';
import fc from 'fast-check';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { lineCensor } from '../src/log-redaction.js';

const PATHS = [
  'address',
  'text',
  'From',
  '*.address',
  '*.Body',
  '*.key.address',
  'req.headers.authorization',
];
const CENSOR = '[redacted]';

/** The lines a logger writes, parsed, without the time. */
function capture(): { stream: Writable; lines: () => unknown[] } {
  const written: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written.push(chunk.toString());
      done();
    },
  });
  return {
    stream,
    lines: () =>
      written.map((line) => {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        delete parsed['time'];
        return parsed;
      }),
  };
}

const keys = fc.constantFrom(
  'address',
  'text',
  'From',
  'Body',
  'key',
  'req',
  'headers',
  'authorization',
  'job',
  'id',
  'n',
);
const leaf = fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.boolean(), fc.constant(null));
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.dictionary(keys, tie('tree'), { maxKeys: 4 }),
    fc.array(tie('tree'), { maxLength: 3 }),
  ),
}));
const line = fc.dictionary(keys, tree, { maxKeys: 5 });

describe('censoring log lines', () => {
  it("writes what pino's own redaction writes, for any line", () => {
    fc.assert(
      fc.property(line, (fields) => {
        const theirs = capture();
        const ours = capture();
        pino({ base: null, redact: { paths: PATHS, censor: CENSOR } }, theirs.stream).info(
          fields,
          'line',
        );
        pino({ base: null, formatters: { log: lineCensor(PATHS, CENSOR) } }, ours.stream).info(
          fields,
          'line',
        );
        expect(ours.lines()).toEqual(theirs.lines());
      }),
      { numRuns: 1_000 },
    );
  });

  it('never changes the line it was given, and copies only what it censors', () => {
    const censor = lineCensor(PATHS, CENSOR);
    const job = { id: 'j1', key: { channel: 'sms', address: '+447700900123' } };
    const untouched = { id: 'j2', key: { channel: 'sms' } };
    const given = Object.freeze({ job: Object.freeze(job), other: untouched, address: 'x' });
    const out = censor(given);
    expect(out).toEqual({
      job: { id: 'j1', key: { channel: 'sms', address: CENSOR } },
      other: untouched,
      address: CENSOR,
    });
    expect(out['other']).toBe(untouched);
    expect(job.key.address).toBe('+447700900123');
    const clean = { route: '/twilio/messages', status: 200 };
    expect(censor(clean)).toBe(clean);
  });

  it("keeps an error's message and stack for pino's error serialiser", () => {
    const ours = capture();
    const error = Object.assign(new Error('connect ECONNREFUSED'), { address: '10.0.0.7' });
    pino({ base: null, formatters: { log: lineCensor(PATHS, CENSOR) } }, ours.stream).error(
      { err: error },
      'failed',
    );
    expect(ours.lines()[0]).toMatchObject({
      err: { type: 'Error', message: 'connect ECONNREFUSED', address: CENSOR },
    });
  });
});
