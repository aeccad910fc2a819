import { createHash } from 'node:crypto';
import type { AnswerValue } from '../engine/types.js';
import type { Flow } from '../flow/flow.js';
import type { PartnerDef } from '../flow/schema.js';
import { isQuestion, saveName } from '../flow/steps.js';
import type { ResponseRecord } from '../responses/record.js';
import type { Delivery, DeliveryType } from './delivery.js';

/**
 * The `data` of `response.completed` and `response.partial`. Every field the partner lists is
 * a key of `answers`, so one event type always has one shape: the value when answered,
 * `null` when skipped, unclear twice, or never reached.
 */
export interface ResponsePayloadData {
  readonly id: string;
  readonly flow_id: string;
  readonly flow_version: string;
  /** Keyed hash of the respondent's address: the same person gives the same value within a deployment. */
  readonly respondent: string;
  readonly channel: string;
  readonly language: string;
  readonly variant: string;
  readonly role: string | null;
  readonly status: ResponseRecord['status'];
  readonly started_at: string;
  readonly ended_at: string;
  readonly answers: Readonly<Record<string, AnswerValue | null>>;
}

/** The `data` of `response.erased`: the partner should delete what it holds for this response. */
export interface ErasurePayloadData {
  readonly id: string;
  readonly flow_id: string;
  readonly erased_at: string;
}

/** What payloads need of a flow: its partners, and its steps to tell open text apart. */
export type FlowPartners = Pick<Flow, 'partners' | 'steps'>;

/**
 * The deliveries one record gives: one per partner of the flow, except that a partial
 * response goes only to partners with `send_partial: true`.
 */
export function deliveriesFor(record: ResponseRecord, flow: FlowPartners): Delivery[] {
  return flow.partners
    .filter((partner) => record.status === 'completed' || partner.send_partial === true)
    .map((partner) => deliveryFor(record, partner, flow));
}

/**
 * What one partner is sent about one response: only the answers it lists, and open text only
 * when it has `include_open_text: true` (flow validation already refuses the contrary; this is
 * the second lock). The event's `timestamp` is when the response ended, so the body, built
 * once, is the same bytes on every retry.
 */
export function deliveryFor(
  record: ResponseRecord,
  partner: PartnerDef,
  flow: FlowPartners,
): Delivery {
  const openText = openTextNames(flow);
  const answers: Record<string, AnswerValue | null> = {};
  for (const field of partner.fields) {
    if (openText.has(field) && partner.include_open_text !== true) continue;
    const answer = record.answers[field];
    answers[field] = answer?.status === 'answered' ? answer.value : null;
  }
  const data: ResponsePayloadData = {
    id: record.id,
    flow_id: record.flowId,
    flow_version: record.flowVersion,
    respondent: record.respondent,
    channel: record.channel,
    language: record.language,
    variant: record.variant,
    role: record.role,
    status: record.status,
    started_at: record.startedAt,
    ended_at: record.endedAt,
    answers,
  };
  const type = record.status === 'completed' ? 'response.completed' : 'response.partial';
  return delivery(type, record, partner.id, record.endedAt, data);
}

/** Tells a partner that a response it was sent has been erased (a respondent's request). */
export function erasureNoticeFor(
  record: Pick<ResponseRecord, 'id' | 'flowId'>,
  partnerId: string,
  erasedAt: Date,
): Delivery {
  const at = erasedAt.toISOString();
  const data: ErasurePayloadData = { id: record.id, flow_id: record.flowId, erased_at: at };
  return delivery('response.erased', record, partnerId, at, data);
}

/**
 * `msg_` and a hash of the event type, record and partner: the same on every retry and after
 * a restart, different for each partner and for each kind of event about one response.
 */
export function webhookIdFor(type: DeliveryType, recordId: string, partnerId: string): string {
  const digest = createHash('sha256').update(`${type}\n${recordId}\n${partnerId}`).digest('hex');
  return `msg_${digest.slice(0, 32)}`;
}

function delivery(
  type: DeliveryType,
  record: Pick<ResponseRecord, 'id' | 'flowId'>,
  partnerId: string,
  timestamp: string,
  data: ResponsePayloadData | ErasurePayloadData,
): Delivery {
  return {
    id: webhookIdFor(type, record.id, partnerId),
    type,
    flowId: record.flowId,
    partnerId,
    recordId: record.id,
    body: JSON.stringify({ type, timestamp, data }),
  };
}

function openTextNames(flow: FlowPartners): Set<string> {
  return new Set(
    Object.entries(flow.steps).flatMap(([id, step]) =>
      isQuestion(step) && step.ask === 'open' ? [saveName(id, step)] : [],
    ),
  );
}
