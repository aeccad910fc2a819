import { describe, expect, it } from 'vitest';
import { checkFlowGraph } from '../src/flow/graph.js';
import { parseFlowSource } from '../src/flow/parse.js';
import { formatProblem } from '../src/flow/problems.js';
import type { PartnerDef } from '../src/flow/schema.js';
import {
  deliveriesFor,
  deliveryFor,
  erasureNoticeFor,
  webhookIdFor,
  type FlowPartners,
} from '../src/partners/payload.js';
import type { ResponseRecord } from '../src/responses/record.js';

/** Flow source with the given partners, parsed and checked for meaning (stages one and two). */
function check(steps: string, partners: string): { flow: FlowPartners; problems: string[] } {
  const source = `id: weekends\ntitle: Weekends\nlevel: operational\nlanguages: [en]\nstart: story\nsteps:\n${steps}partners:\n${partners}`;
  const parsed = parseFlowSource('weekends.yaml', source);
  if (!parsed.ok)
    return { flow: { partners: [], steps: {} }, problems: parsed.problems.map(formatProblem) };
  const problems = checkFlowGraph('weekends.yaml', parsed.flow, parsed.locate).map(formatProblem);
  return {
    flow: { partners: parsed.flow.header.partners ?? [], steps: parsed.flow.steps },
    problems,
  };
}

const STEPS = `  story: { ask: open, save: story, next: weekends }
  weekends: { ask: yes_no, save: weekends_wanted, next: hours }
  hours: { ask: choice, multiple: true, options: [morning, evening], next: rating }
  rating: { ask: scale, range: [1, 5], save: rating, next: thanks }
  thanks: { end: true }
`;

function flowWith(partners: string): FlowPartners {
  const { flow, problems } = check(STEPS, partners);
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return flow;
}

const flow = flowWith(`  - id: council
    webhook: https://council.example/hook
    secret_env: COUNCIL_SECRET
    fields: [weekends_wanted, hours, rating]
  - id: carers_centre
    file: carers/responses.jsonl
    fields: [story, rating]
    include_open_text: true
    send_partial: true
`);

const at = '2026-11-20T10:00:00.000Z';
const record: ResponseRecord = {
  id: 'rsp_01',
  flowId: 'weekends',
  flowVersion: 'v1',
  respondent: 'p_5e1f',
  channel: 'sms',
  language: 'en',
  variant: 'plain',
  role: 'carer',
  status: 'completed',
  answers: {
    story: { status: 'answered', value: 'The bus stops at five.', at },
    weekends_wanted: { status: 'answered', value: 'yes', at },
    hours: { status: 'skipped', at },
    rating: { status: 'answered', value: 4, at },
  },
  consent: null,
  startedAt: '2026-11-20T09:50:00.000Z',
  endedAt: '2026-11-20T10:01:00.000Z',
};

function partner(id: string): PartnerDef {
  const found = flow.partners.find((p) => p.id === id);
  if (found === undefined) throw new Error(id);
  return found;
}

const bodyOf = (body: string): { type: string; timestamp: string; data: Record<string, unknown> } =>
  JSON.parse(body) as { type: string; timestamp: string; data: Record<string, unknown> };

describe('what a partner is sent about a response', () => {
  it('carries the response facts and only the answers the partner lists', () => {
    const delivery = deliveryFor(record, partner('council'), flow);
    expect(bodyOf(delivery.body)).toEqual({
      type: 'response.completed',
      timestamp: record.endedAt,
      data: {
        id: 'rsp_01',
        flow_id: 'weekends',
        flow_version: 'v1',
        respondent: 'p_5e1f',
        channel: 'sms',
        language: 'en',
        variant: 'plain',
        role: 'carer',
        status: 'completed',
        started_at: record.startedAt,
        ended_at: record.endedAt,
        answers: { weekends_wanted: 'yes', hours: null, rating: 4 },
      },
    });
    expect(delivery).toMatchObject({
      type: 'response.completed',
      flowId: 'weekends',
      partnerId: 'council',
      recordId: 'rsp_01',
    });
    expect(delivery.body).not.toContain('bus stops');
  });

  it('gives open text to a partner set to receive it', () => {
    const data = bodyOf(deliveryFor(record, partner('carers_centre'), flow).body).data;
    expect(data['answers']).toEqual({ story: 'The bus stops at five.', rating: 4 });
  });

  it('drops open text for a partner not set to receive it, even if it lists the field', () => {
    const careless = { ...partner('carers_centre'), include_open_text: false };
    const data = bodyOf(deliveryFor(record, careless, flow).body).data;
    expect(data['answers']).toEqual({ rating: 4 });
  });

  it('writes null for a field never reached or not understood', () => {
    const partial: ResponseRecord = {
      ...record,
      status: 'partial',
      answers: { story: { status: 'unanswered', at } },
    };
    const body = bodyOf(deliveryFor(partial, partner('carers_centre'), flow).body);
    expect(body.type).toBe('response.partial');
    expect(body.data['answers']).toEqual({ story: null, rating: null });
  });

  it('sends a completed response to every partner, a partial one only to those who asked', () => {
    expect(deliveriesFor(record, flow).map((d) => d.partnerId)).toEqual([
      'council',
      'carers_centre',
    ]);
    const partial: ResponseRecord = { ...record, status: 'partial' };
    expect(deliveriesFor(partial, flow).map((d) => d.partnerId)).toEqual(['carers_centre']);
  });

  it('keeps one webhook-id per response and partner, the same each time it is built', () => {
    const again = deliveryFor(record, partner('council'), flow);
    const first = deliveryFor(record, partner('council'), flow);
    expect(again).toEqual(first);
    expect(first.id).toMatch(/^msg_[0-9a-f]{32}$/);
    const ids = new Set([
      first.id,
      deliveryFor(record, partner('carers_centre'), flow).id,
      deliveryFor({ ...record, id: 'rsp_02' }, partner('council'), flow).id,
      erasureNoticeFor(record, 'council', new Date(at)).id,
    ]);
    expect(ids.size).toBe(4);
    expect(first.id).toBe(webhookIdFor('response.completed', 'rsp_01', 'council'));
  });

  it('builds an erasure notice naming only the response', () => {
    const notice = erasureNoticeFor(record, 'council', new Date('2026-12-01T08:00:00Z'));
    expect(notice).toMatchObject({ type: 'response.erased', partnerId: 'council' });
    expect(bodyOf(notice.body)).toEqual({
      type: 'response.erased',
      timestamp: '2026-12-01T08:00:00.000Z',
      data: { id: 'rsp_01', flow_id: 'weekends', erased_at: '2026-12-01T08:00:00.000Z' },
    });
  });
});

describe('partner checks in flow files', () => {
  const problems = (partners: string): string[] =>
    check(
      `  story: { ask: open, save: story, next: rating }
  rating: { ask: scale, range: [1, 5], save: rating, next: thanks }
  thanks: { end: true }
`,
      partners,
    ).problems.map((line) => line.replace(/^weekends\.yaml:\d+:\d+: /, ''));

  it('refuses open text sent to a partner not set to receive it, naming the fix', () => {
    expect(
      problems('  - id: council\n    file: council.jsonl\n    fields: [rating, story]\n'),
    ).toEqual([
      "partners[0].fields[1]: 'story' is open text, which can identify a person, and partner 'council' is not set to receive it (fix: add include_open_text: true to partner 'council', or remove 'story' from its fields)",
    ]);
  });

  it('needs exactly one of webhook or file', () => {
    expect(problems('  - id: council\n    fields: [rating]\n')).toEqual([
      "partners[0]: partner 'council' has nowhere to be sent to (fix: add webhook: https://… or file: <name>.jsonl)",
    ]);
    expect(
      problems(
        '  - id: council\n    webhook: https://c.example/h\n    secret_env: C_SECRET\n    file: c.jsonl\n    fields: [rating]\n',
      ),
    ).toEqual([
      "partners[0]: partner 'council' has both a webhook and a file (fix: keep one, or list the partner twice under different ids)",
    ]);
  });

  it('needs a signing secret for a webhook', () => {
    expect(
      problems('  - id: council\n    webhook: https://c.example/h\n    fields: [rating]\n'),
    ).toEqual([
      "partners[0]: partner 'council' has a webhook but no signing secret (fix: add secret_env: NAME, the variable that holds its whsec_ secret)",
    ]);
  });

  it('refuses a file path that climbs out of the partner files folder', () => {
    expect(problems('  - id: council\n    file: ../etc/passwd\n    fields: [rating]\n')).toEqual([
      'partners[0].file: write a path inside the partner files folder, e.g. council/responses.jsonl',
    ]);
  });
});
