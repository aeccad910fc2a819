import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readAddress } from '../src/launch/address.js';
import { CsvSyntaxError, readCsvRecords } from '../src/launch/csv.js';
import {
  ParticipantsFileError,
  readParticipants,
  rereadParticipants,
  type Participant,
  type RejectedRow,
} from '../src/launch/participants.js';
import { SeenPeople } from '../src/launch/seen-people.js';
import { loadConfig } from '../src/config.js';
import { loadFlowSource } from '../src/flow/load.js';
import { catalogWith, shippedContent } from './helpers/content.js';

const flow = (() => {
  const found = shippedContent().flows.get('day-centre-weekends');
  if (found === undefined) throw new Error('the shipped day-centre-weekends flow is missing');
  return found;
})();

describe('readCsvRecords (RFC 4180)', () => {
  it.each([
    [
      'plain fields',
      'a,b\n1,2\n',
      [
        ['a', 'b'],
        ['1', '2'],
      ],
    ],
    [
      'CRLF and no final newline',
      'a,b\r\n1,2',
      [
        ['a', 'b'],
        ['1', '2'],
      ],
    ],
    ['a byte-order mark', '\uFEFFaddress\n07700900123\n', [['address'], ['07700900123']]],
    ['quoted commas and doubled quotes', 'a\n"Smith, ""Jo"""\n', [['a'], ['Smith, "Jo"']]],
    [
      'empty fields',
      'a,b,c\n,,\n',
      [
        ['a', 'b', 'c'],
        ['', '', ''],
      ],
    ],
    ['blank lines skipped', 'a\n\n1\n\n', [['a'], ['1']]],
    [
      'an empty quoted field',
      'a,b\n"",x\n',
      [
        ['a', 'b'],
        ['', 'x'],
      ],
    ],
  ])('%s', (_name, text, expected) => {
    expect([...readCsvRecords(text)].map((record) => record.fields)).toEqual(expected);
  });

  it('numbers each record by the line it starts on, past quoted line breaks', () => {
    const records = [...readCsvRecords('name,note\nA,"two\nlines"\nB,x\r\n\r\nC,y\n')];
    expect(records.map((r) => [r.line, r.fields[0]])).toEqual([
      [1, 'name'],
      [2, 'A'],
      [4, 'B'],
      [6, 'C'],
    ]);
  });

  it.each([
    ['an unclosed quote', 'a\n"open\n', 2, /never closed/],
    ['text after a closing quote', 'a\n"x"y\n', 2, /after a closing quote/],
    ['a quote inside an unquoted field', 'a\nab"c\n', 2, /inside an unquoted field/],
  ])('refuses %s with its line', (_name, text, line, message) => {
    let error: unknown;
    try {
      Array.from(readCsvRecords(text));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CsvSyntaxError);
    expect(error).toMatchObject({ line, message: expect.stringMatching(message) as unknown });
  });

  it('reads back any table written by the RFC 4180 rules', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r\n', ' ', 'é') });
    const table = fc.integer({ min: 1, max: 4 }).chain((width) =>
      fc.array(fc.array(field, { minLength: width, maxLength: width }), {
        minLength: 1,
        maxLength: 6,
      }),
    );
    fc.assert(
      fc.property(table, (rows) => {
        // A row of one empty field is a blank line, which readers skip.
        const kept = rows.filter((row) => row.length > 1 || row[0] !== '');
        const text = rows
          .map((row) => row.map((value) => `"${value.replaceAll('"', '""')}"`).join(','))
          .join('\r\n');
        expect([...readCsvRecords(text)].map((record) => record.fields)).toEqual(kept);
      }),
    );
  });

  it('reads the same from bytes decoded a piece at a time, whatever the pieces', () => {
    const field = fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r\n', ' ', 'é', '😀') });
    const table = fc.array(fc.array(field, { minLength: 2, maxLength: 3 }), { maxLength: 8 });
    fc.assert(
      fc.property(table, fc.integer({ min: 1, max: 12 }), (rows, pieceBytes) => {
        const text = `\uFEFF${rows
          .map((row) => row.map((value) => `"${value.replaceAll('"', '""')}"`).join(','))
          .join('\r\n')}`;
        expect([...readCsvRecords(Buffer.from(text), pieceBytes)]).toEqual([
          ...readCsvRecords(text),
        ]);
      }),
    );
  });
});

describe('readAddress', () => {
  it.each([
    ['07700 900123', { channel: 'sms', phone: '+447700900123' }],
    ['+44 (0)7700 900123', { channel: 'sms', phone: '+447700900123' }],
    ['0044 7700 900123', { channel: 'sms', phone: '+447700900123' }],
    ['+44 07700-900-123', { channel: 'sms', phone: '+447700900123' }],
    ['(07700) 900.123', { channel: 'sms', phone: '+447700900123' }],
    ['07624 123456', { channel: 'sms', phone: '+447624123456' }],
    ['+353 85 123 4567', { channel: 'sms', phone: '+353851234567' }],
    ['whatsapp:+447700900124', { channel: 'whatsapp', phone: '+447700900124' }],
    ['WhatsApp:07700 900124', { channel: 'whatsapp', phone: '+447700900124' }],
    ['U0123ABCD', { channel: 'slack', userId: 'U0123ABCD' }],
    ['Carer@Example.org', { channel: 'slack', email: 'carer@example.org' }],
  ])('%s', (raw, address) => {
    expect(readAddress(raw)).toEqual({ ok: true, address });
  });

  it.each([
    ['', /empty/],
    ['01632 960123', /not a UK mobile/],
    ['07700 90012', /11 digits/],
    ['7700900123', /without its leading 0.*07700900123/],
    ['447700900123', /country code, e\.g\. \+447700900123/],
    ['call me', /letters or symbols/],
    ['+1 23', /7 to 15 digits/],
    ['someone@', /email/],
    ['whatsapp:hello', /letters or symbols/],
  ])('refuses %j', (raw, reason) => {
    const read = readAddress(raw);
    expect(read.ok).toBe(false);
    expect(read.ok ? '' : read.reason).toMatch(reason);
  });
});

/** Every row of a file, read as a launch plans it. */
function readAll(file: string): { participants: Participant[]; rejected: RejectedRow[] } {
  const rows = [...readParticipants(file, flow, new SeenPeople())];
  return {
    participants: rows.filter((row): row is Participant => !('reason' in row)),
    rejected: rows.filter((row): row is RejectedRow => 'reason' in row),
  };
}

describe('readParticipants', () => {
  it('reads languages, variants, roles, names and extra columns, and says why a row is refused', () => {
    const file = [
      'Address,Language,Variant,Role,Name,Centre',
      '07700 900001,cy,plain,carer,Ffion,Riverside',
      '"+44 (0)7700 900002",,,,,',
      '07700 900003,fr,,,,',
      '07700 900004,,simple,,,',
      '07700 900005,,,nurse,,',
      '07700 900006,en',
      '0044 7700 900001,en,,,,',
      'whatsapp:+447700900002,pl,,,,',
      'U0123ABCD,EN,PLAIN,service_user,,',
    ].join('\n');
    const { participants, rejected } = readAll(file);
    expect(participants).toEqual([
      {
        line: 2,
        address: { channel: 'sms', phone: '+447700900001' },
        language: 'cy',
        variant: 'plain',
        role: 'carer',
        params: { name: 'Ffion', centre: 'Riverside' },
      },
      {
        line: 3,
        address: { channel: 'sms', phone: '+447700900002' },
        language: undefined,
        variant: 'standard',
        role: undefined,
        params: {},
      },
      {
        line: 10,
        address: { channel: 'slack', userId: 'U0123ABCD' },
        language: 'en',
        variant: 'plain',
        role: 'service_user',
        params: {},
      },
    ]);
    expect(rejected).toEqual([
      { line: 4, reason: "language 'fr' is not one of the flow's: en, cy, pl" },
      { line: 5, reason: "variant 'simple' is not standard or plain" },
      { line: 6, reason: "role 'nurse' is not one of the flow's: service_user, carer, other" },
      { line: 7, reason: 'has 2 fields; the header has 6' },
      { line: 8, reason: 'the same person as line 2', duplicateOf: 2 },
      { line: 9, reason: 'the same person as line 3', duplicateOf: 3 },
    ]);
  });

  it.each([
    ['', /empty/],
    ['phone,name\n07700900001,A\n', /`address`/],
    ['address,Post Code\n07700900001,A\n', /column 2 'post code' is not a usable name/],
    ['address,name,NAME\n07700900001,A,B\n', /'name' appears more than once/],
    ['address\n"07700900001\n', /not a CSV file: line 2/],
  ])('refuses a file that cannot be used: %j', (file, message) => {
    expect(() => readAll(file)).toThrow(ParticipantsFileError);
    expect(() => readAll(file)).toThrow(message);
  });

  it('reads again only the lines asked for, as they were read the first time', () => {
    const file = [
      'address,name',
      '07700 900001,Ann',
      'nobody',
      '"07700 900002"',
      '07700 900003,Cy',
    ].join('\n');
    const wanted = new Set([2, 5]);
    const again = [...rereadParticipants(file, flow, (line) => wanted.has(line))];
    expect(again).toEqual(readAll(file).participants.filter((row) => wanted.has(row.line)));
    expect(again.map((row) => row.params)).toEqual([{ name: 'Ann' }, { name: 'Cy' }]);
  });
});

describe('SeenPeople', () => {
  it('gives the first line of each person met again, past many growths of its table', () => {
    const seen = new SeenPeople();
    const people = 50_000;
    const firstMeetings = Array.from({ length: people }, (_, i) =>
      seen.meet(`phone:+447${String(i).padStart(9, '0')}`, i + 2),
    );
    expect(firstMeetings.every((first) => first === undefined)).toBe(true);
    const again = Array.from({ length: people }, (_, i) =>
      seen.meet(`phone:+447${String(i).padStart(9, '0')}`, people + i + 2),
    );
    expect(again.every((first, i) => first === i + 2)).toBe(true);
    expect(seen.meet('slack:U0123ABCD', 1)).toBeUndefined();
  });
});

describe('launch settings of a flow and of the deployment', () => {
  const source = readFileSync('tests/fixtures/launch/inbound-only.yaml', 'utf8');
  const sources = {
    catalog: catalogWith({
      en: { 'poster-feedback': { title: 'Poster feedback', thanks: 'Thank you.' } },
    }),
    localesDir: 'locales',
  };

  it('refuses an inbound-only flow that has no keyword to start it', () => {
    const loaded = loadFlowSource('inbound-only.yaml', source, sources);
    expect(loaded.ok).toBe(false);
    expect(loaded.ok ? [] : loaded.problems).toEqual([
      expect.objectContaining({
        path: 'inbound_only',
        message: expect.stringMatching(/no keywords/),
      }),
    ]);
  });

  it('reads inbound_only and contact_cap_days', () => {
    const loaded = loadFlowSource('inbound-only.yaml', `${source}keywords: [POSTER]\n`, sources);
    expect(
      loaded.ok && { inboundOnly: loaded.flow.inboundOnly, cap: loaded.flow.contactCapDays },
    ).toEqual({
      inboundOnly: true,
      cap: 14,
    });
  });

  it('reads LAUNCH_RATE_PER_SECOND and CONTACT_CAP_DAYS, with one line per mistake', () => {
    expect(loadConfig({})).toMatchObject({ launchRatePerSecond: 1, contactCapDays: 30 });
    expect(loadConfig({ LAUNCH_RATE_PER_SECOND: '2.5', CONTACT_CAP_DAYS: '0' })).toMatchObject({
      launchRatePerSecond: 2.5,
      contactCapDays: 0,
    });
    expect(() => loadConfig({ LAUNCH_RATE_PER_SECOND: '0', CONTACT_CAP_DAYS: '400' })).toThrow(
      /LAUNCH_RATE_PER_SECOND: .*\n.*CONTACT_CAP_DAYS: /,
    );
  });
});
