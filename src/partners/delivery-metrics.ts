import type { DeliveryResult, PartnerState } from './partner-state.js';

const COUNTERS: readonly { result: DeliveryResult; name: string; help: string }[] = [
  {
    result: 'delivered',
    name: 'carevoice_partner_deliveries_delivered_total',
    help: 'Responses a partner accepted (2xx, or written to its file).',
  },
  {
    result: 'retried',
    name: 'carevoice_partner_delivery_retries_total',
    help: 'Failed attempts followed by another on the retry schedule.',
  },
  {
    result: 'dead_lettered',
    name: 'carevoice_partner_deliveries_dead_lettered_total',
    help: 'Deliveries whose last scheduled attempt failed; held for carevoice replay.',
  },
  {
    result: 'parked',
    name: 'carevoice_partner_deliveries_parked_total',
    help: 'Deliveries held because their partner was disabled (410) or not set up.',
  },
];

/**
 * Partner delivery counts in the Prometheus text format, labelled by flow and partner id
 * only: no record, respondent or delivery id. Shared by every process (Redis), so any
 * instance answers for all.
 */
export async function renderDeliveryMetrics(state: PartnerState): Promise<string> {
  const [counts, disabled] = await Promise.all([state.counts(), state.disabledPartners()]);
  const lines: string[] = [];
  for (const counter of COUNTERS) {
    lines.push(`# HELP ${counter.name} ${counter.help}`, `# TYPE ${counter.name} counter`);
    for (const row of counts) {
      lines.push(
        `${counter.name}{${labels(row.flowId, row.partnerId)}} ${row.counts[counter.result]}`,
      );
    }
  }
  lines.push(
    '# HELP carevoice_partner_disabled 1 while a partner is disabled after answering 410 Gone.',
    '# TYPE carevoice_partner_disabled gauge',
    ...disabled.map((p) => `carevoice_partner_disabled{${labels(p.flowId, p.partnerId)}} 1`),
  );
  return `${lines.join('\n')}\n`;
}

function labels(flowId: string, partnerId: string): string {
  return `flow="${escape(flowId)}",partner="${escape(partnerId)}"`;
}

/** Label values escape backslash, double quote and newline. */
function escape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
