import type { LaunchPlan } from './plan.js';
import { SKIP_REASONS, type Listed, type SkippedRow, type SkipReason } from './plan-tally.js';

export interface Pricing {
  readonly pricePerSegment: number;
  readonly currency: string;
}

const SKIP_WORDS: Readonly<Record<SkipReason, string>> = {
  opted_out: 'opted out (sent STOP)',
  already_invited: 'already invited to this flow',
  contacted: 'invited by another flow within the contact cap',
};

/** What a launch would do, for a person to read before saying yes. */
export function formatLaunchPlan(plan: LaunchPlan, pricing: Pricing): string {
  const { flow } = plan;
  const skipped = SKIP_REASONS.reduce((sum, reason) => sum + plan.skipped[reason].count, 0);
  const lines = [
    `Launch ${plan.launchId} of ${flow.id} (${flow.title})`,
    `  ${plan.rows} rows: ${plan.invitations} to invite, ${plan.rejected.count} rejected, ${skipped} skipped`,
    '',
    'Invitations',
    ...invitationCounts(plan),
  ];
  const { rejected } = plan;
  if (rejected.count > 0) {
    lines.push('', `Rejected (${rejected.count}): fix these rows and run again`);
    for (const row of rejected.first) lines.push(`  line ${row.line}: ${row.reason}`);
    if (rejected.count > rejected.first.length)
      lines.push(
        `  … and ${rejected.count - rejected.first.length} more (the first ${rejected.first.length} are listed)`,
      );
  }
  if (skipped > 0) {
    lines.push('', `Skipped (${skipped})`);
    for (const reason of SKIP_REASONS) {
      const rows = plan.skipped[reason];
      if (rows.count > 0)
        lines.push(
          `  ${SKIP_WORDS[reason]}${capNote(plan, reason)}: ${rows.count}, lines ${lineList(rows, flow.timezone)}`,
        );
    }
  }
  lines.push(
    '',
    'Cost of the opening messages (replies and reminders come on top; see carevoice lint)',
  );
  lines.push(...costLines(plan, pricing));
  lines.push('', 'Send window', ...windowLines(plan));
  return `${lines.join('\n')}\n`;
}

function invitationCounts(plan: LaunchPlan): string[] {
  if (plan.channels.length === 0) return ['  none'];
  return plan.channels.map(({ channel, invitations, groups }) => {
    const parts = [...groups].map(([group, n]) => `${group} ${n}`).join(', ');
    return `  ${channel.padEnd(9)} ${String(invitations).padStart(5)}  (${parts})`;
  });
}

function capNote(plan: LaunchPlan, reason: SkipReason): string {
  return reason === 'contacted' ? ` (${plan.capDays} days)` : '';
}

function lineList(rows: Listed<SkippedRow>, timeZone: string): string {
  const listed = rows.first
    .map((row) =>
      row.contact === undefined
        ? String(row.line)
        : `${row.line} (${row.contact.flowId}, ${formatTime(row.contact.at, timeZone)})`,
    )
    .join(', ');
  return rows.count > rows.first.length
    ? `${listed} and ${rows.count - rows.first.length} more`
    : listed;
}

function costLines(plan: LaunchPlan, pricing: Pricing): string[] {
  const lines: string[] = [];
  const byChannel = new Map(plan.channels.map((channel) => [channel.channel, channel]));
  const sms = byChannel.get('sms');
  if (sms !== undefined) {
    const cost = (sms.cost * pricing.pricePerSegment).toFixed(2);
    lines.push(
      `  SMS: ${count(sms.invitations, 'invitation')}, ${count(sms.messages, 'text')}, ${count(sms.cost, 'segment')} x ${pricing.pricePerSegment} ${pricing.currency} = ${cost} ${pricing.currency}`,
      '    (prices vary by country and carrier: pass --price-per-segment and --currency from your Twilio price list)',
    );
  }
  for (const channel of ['whatsapp', 'slack'] as const) {
    const group = byChannel.get(channel);
    if (group === undefined) continue;
    const note =
      channel === 'whatsapp'
        ? ' (priced per conversation by WhatsApp; not estimated)'
        : ' (no charge)';
    lines.push(
      `  ${channel === 'whatsapp' ? 'WhatsApp' : 'Slack'}: ${count(group.invitations, 'invitation')}, ${count(group.messages, 'message')}${note}`,
    );
  }
  return lines.length > 0 ? lines : ['  nothing to send'];
}

function windowLines(plan: LaunchPlan): string[] {
  const { flow } = plan;
  const quiet =
    flow.quietHours === undefined
      ? 'no quiet hours'
      : `quiet hours ${flow.quietHours.from}-${flow.quietHours.to}`;
  const lines = [
    `  ${quiet} (${flow.timezone}); ${count(plan.ratePerSecond, 'message')} a second per sender (LAUNCH_RATE_PER_SECOND; an SMS counts each segment)`,
  ];
  for (const window of plan.channels) {
    const from = `  ${window.channel.padEnd(9)} from ${formatTime(window.first, flow.timezone)}`;
    lines.push(
      window.last - window.first < 60_000
        ? `${from}, within a minute`
        : `${from} to about ${formatTime(window.last, flow.timezone)}`,
    );
  }
  return lines;
}

function formatTime(at: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
