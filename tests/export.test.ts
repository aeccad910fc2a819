import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  csvHeader,
  exportColumns,
  flowAnswerNames,
  type ExportedFlow,
} from '../src/export/columns.js';
import { csvField, neutraliseFormula, startsLikeFormula } from '../src/export/csv.js';
import { writeResponses } from '../src/export/exporter.js';
import { prepareFlowExport } from '../src/export/flow-export.js';
import { MemoryResponseStore } from '../src/responses/memory-response-store.js';
import { parseSince } from '../src/export/since.js';
import type { ResponseRecord } from '../src/responses/record.js';
import {
  answered,
  dayCentre,
  byteSink,
  recordsOf,
  responseRecord,
  skipped,
  unanswered,
} from './helpers/export-records.js';

const flow = dayCentre;
/** An earlier version that asked about transport, and saved a question under `status`. */
const earlier: ExportedFlow = {
  id: flow.id,
  steps: {
    transport: { ask: 'open', save: 'transport', next: 'status' },
    status: { ask: 'open', next: 'story' },
    ...flow.steps,
  },
};

const RECORD_HEADER =
  'record_id,respondent,flow_version,channel,language,variant,role,status,started_at,ended_at';
const TIMES = '2026-11-02T09:00:00.000Z,2026-11-02T09:30:00.000Z';

const first = responseRecord({
  answers: {
    role: answered('carer'),
    story: answered('=HYPERLINK("http://x","click"), then more'),
    days_a_week: answered(3),
    weekends_wanted: answered('yes'),
    hours: answered(['morning', 'evening']),
    rating: skipped,
  },
});
const second = responseRecord({
  id: 'r2',
  respondent: '-Xy_9',
  flowVersion: 'v0',
  role: null,
  status: 'partial',
  answers: {
    role: answered('service_user'),
    story: unanswered,
    days_a_week: answered(-2),
    transport: answered('bus'),
  },
});

describe('columns', () => {
  it('has one column per saved answer in the order the flow file lists its steps', () => {
    expect(flowAnswerNames(flow)).toEqual([
      'role',
      'story',
      'days_a_week',
      'weekends_wanted',
      'hours',
      'rating',
    ]);
  });

  it('appends names only other versions save, and heads an answer named like a record column apart', () => {
    const columns = exportColumns(flow, [flow, earlier]);
    expect(columns.answerNames.slice(6)).toEqual(['transport', 'status']);
    expect(csvHeader(columns).join(',')).toBe(
      `${RECORD_HEADER},role (answer),story,days_a_week,weekends_wanted,hours,rating,transport,status (answer),skipped,unanswered,other_answers`,
    );
  });
});

describe('formula neutralising', () => {
  it.each([
    ['=1+1', true],
    ['+44 7700', true],
    ['-1', true],
    ['@SUM(A1)', true],
    ['\t=1', true],
    ['\tplain', true],
    ['\rtext', true],
    ['\0text', true],
    ['   =1+1', true],
    ['\u00a0\u3000+1', true],
    ['\n@x', true],
    ['hello', false],
    ['', false],
    ['1-2', false],
    ["'=1", false],
    ['a=1', false],
  ])('%j starts like a formula: %s', (text, formula) => {
    expect(startsLikeFormula(text)).toBe(formula);
    expect(neutraliseFormula(text)).toBe(formula ? `'${text}` : text);
  });

  it('quotes a field only when it holds a comma, quote or line break', () => {
    expect(csvField('plain text')).toBe('plain text');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField('cr\r')).toBe('"cr\r"');
  });
});

describe('CSV export', () => {
  it('writes a BOM, a header and CRLF lines, one cell per answer, neutralised and quoted', async () => {
    const sink = byteSink();
    const columns = exportColumns(flow, [earlier]);
    await writeResponses(recordsOf([first, second]), sink.stream, { format: 'csv', columns });
    expect([...sink.bytes().subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(sink.text()).toBe(
      '\uFEFF' +
        `${RECORD_HEADER},role (answer),story,days_a_week,weekends_wanted,hours,rating,transport,status (answer),skipped,unanswered,other_answers\r\n` +
        `r1,p1,v1,sms,en,standard,carer,completed,${TIMES},carer,"'=HYPERLINK(""http://x"",""click""), then more",3,yes,morning; evening,,,,rating,,\r\n` +
        `r2,'-Xy_9,v0,sms,en,standard,,partial,${TIMES},service_user,,-2,,,,bus,,,story,\r\n`,
    );
  });

  it('writes just the header when there are no records', async () => {
    const sink = byteSink();
    await writeResponses(recordsOf([]), sink.stream, {
      format: 'csv',
      columns: exportColumns(flow),
    });
    expect(sink.text().split('\r\n')).toHaveLength(2);
  });

  it('keeps answers under names no known version saves in other_answers, as JSON text', async () => {
    const sink = byteSink();
    const stray = responseRecord({
      id: 'r3',
      answers: {
        rating: answered(4),
        transport: answered('=bus'),
        hours: unanswered,
        wards: answered(['Cedar', 'Oak']),
        constructor: skipped,
      },
    });
    await writeResponses(recordsOf([stray]), sink.stream, {
      format: 'csv',
      columns: exportColumns(flow),
    });
    const [header, row] = sink.text().slice(1).split('\r\n');
    expect(header?.split(',').slice(-3)).toEqual(['skipped', 'unanswered', 'other_answers']);
    expect(row?.split(',').slice(10, 16)).toEqual(['', '', '', '', '', '4']);
    // The JSON cell is quoted (it holds commas and quotes); its text is the answers as stored.
    const tail = row?.slice(row.indexOf(',4,') + 3) ?? '';
    expect(tail).toBe('constructor,hours,"{""transport"":""=bus"",""wards"":[""Cedar"",""Oak""]}"');
  });

  it('destroys the output when reading a record fails, so a file cut short never looks complete', async () => {
    const sink = byteSink();
    async function* failing(): AsyncGenerator<ResponseRecord> {
      yield first;
      throw Object.assign(new Error('redis down'), { code: 'store_unavailable' });
    }
    const writing = writeResponses(failing(), sink.stream, {
      format: 'csv',
      columns: exportColumns(flow),
    });
    await expect(writing).rejects.toMatchObject({ code: 'store_unavailable' });
    expect(sink.stream.destroyed).toBe(true);
  });
});

describe('a flow export', () => {
  it('takes its columns from every version known and reads the records once', async () => {
    const responses = new MemoryResponseStore(() => new Date('2026-11-26T09:00:00.000Z'));
    responses.append(second);
    responses.append(first);
    let reads = 0;
    const counted = {
      count: (flowId: string) => responses.count(flowId),
      list: (...args: Parameters<MemoryResponseStore['list']>) => {
        reads++;
        return responses.list(...args);
      },
    };
    const prepared = await prepareFlowExport({
      flow,
      versions: [earlier, flow],
      responses: counted,
      format: 'csv',
    });
    expect(prepared.fileName).toBe('day-centre-weekends-responses.csv');
    expect(reads).toBe(0);
    const sink = byteSink();
    expect(await prepared.write(sink.stream)).toBe(2);
    expect(reads).toBe(1);
    const [header, ...rows] = sink.text().split('\r\n');
    expect(header).toContain(',rating,transport,status (answer),skipped,unanswered,other_answers');
    expect(rows.map((row) => row.split(',')[0])).toEqual(['r2', 'r1', '']);
  });

  it('asks the store once before the first byte, so a store that is down is said properly', async () => {
    const down = (): Promise<never> =>
      Promise.reject(Object.assign(new Error('redis down'), { code: 'store_unavailable' }));
    const responses = {
      count: down,
      list: () => ({ [Symbol.asyncIterator]: () => ({ next: down }) }),
    };
    await expect(
      prepareFlowExport({ flow, versions: [], responses, format: 'csv' }),
    ).rejects.toMatchObject({ code: 'store_unavailable' });
  });
});

describe('JSON export', () => {
  it('streams an array of rows with typed answers, names of older versions included', async () => {
    const sink = byteSink();
    await writeResponses(recordsOf([first, second]), sink.stream, {
      format: 'json',
      columns: exportColumns(flow),
    });
    const rows: unknown = JSON.parse(sink.text());
    expect(rows).toEqual([
      {
        record_id: 'r1',
        respondent: 'p1',
        flow_version: 'v1',
        channel: 'sms',
        language: 'en',
        variant: 'standard',
        role: 'carer',
        status: 'completed',
        started_at: '2026-11-02T09:00:00.000Z',
        ended_at: '2026-11-02T09:30:00.000Z',
        answers: {
          role: 'carer',
          story: '=HYPERLINK("http://x","click"), then more',
          days_a_week: 3,
          weekends_wanted: 'yes',
          hours: ['morning', 'evening'],
        },
        skipped: ['rating'],
        unanswered: [],
      },
      expect.objectContaining({
        record_id: 'r2',
        respondent: '-Xy_9',
        role: null,
        status: 'partial',
        answers: { role: 'service_user', days_a_week: -2, transport: 'bus' },
        skipped: [],
        unanswered: ['story'],
      }),
    ]);
  });

  it('writes an empty array when there are no records', async () => {
    const sink = byteSink();
    await writeResponses(recordsOf([]), sink.stream, {
      format: 'json',
      columns: exportColumns(flow),
    });
    expect(JSON.parse(sink.text())).toEqual([]);
  });
});

describe('streaming', () => {
  const STORY = 'x'.repeat(1000);
  const TOTAL = 20_000;

  /** Records made on demand, counting the characters of story handed out. */
  function source(): { records: AsyncIterable<ResponseRecord>; pulled: () => number } {
    let pulled = 0;
    return {
      records: Readable.from(
        (function* () {
          for (let i = 0; i < TOTAL; i++) {
            pulled += STORY.length;
            yield responseRecord({ id: `r${i}`, answers: { story: answered(STORY) } });
          }
        })(),
      ),
      pulled: () => pulled,
    };
  }

  it('reads no further ahead than a bounded amount while a slow output catches up', async () => {
    const { records, pulled } = source();
    let written = 0;
    let furthestAhead = 0;
    const slow = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        written += chunk.length;
        furthestAhead = Math.max(furthestAhead, pulled() - written);
        setImmediate(callback);
      },
    });
    await writeResponses(records, slow, { format: 'csv', columns: exportColumns(flow) });
    expect(written).toBeGreaterThan(TOTAL * STORY.length);
    // 20 MB pass through; without waiting for the output, nearly all of it would be read ahead.
    expect(furthestAhead).toBeLessThan(4_000_000);
  });

  it('stops reading records when the output closes early', async () => {
    let finished = false;
    async function* endless(): AsyncGenerator<ResponseRecord> {
      try {
        for (let i = 0; ; i++) yield responseRecord({ id: `r${i}` });
      } finally {
        finished = true;
      }
    }
    let writes = 0;
    const cancelled = new Writable({
      write(_chunk, _encoding, callback) {
        if (++writes === 3) this.destroy();
        callback();
      },
    });
    await expect(
      writeResponses(endless(), cancelled, { format: 'json', columns: exportColumns(flow) }),
    ).rejects.toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
    expect(finished).toBe(true);
  });
});

describe('--since', () => {
  it.each([
    ['2026-11-01', '2026-11-01T00:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['2026-11-01T09:00Z', '2026-11-01T09:00:00.000Z'],
    ['2026-11-01T09:00+01:00', '2026-11-01T08:00:00.000Z'],
    ['2026-11-01T09:00:05.250-05:30', '2026-11-01T14:30:05.250Z'],
  ])('reads %s', (text, iso) => {
    expect(parseSince(text)?.toISOString()).toBe(iso);
  });

  it.each([
    'yesterday',
    '2026-02-30',
    '2026-13-01',
    '01/11/2026',
    '2026-11-01T09:00',
    '2026-11-01T24:00Z',
    '2026-11-01 09:00Z',
    '',
  ])('refuses %j', (text) => {
    expect(parseSince(text)).toBeUndefined();
  });
});
